"""What a page says after an action ("Uw reactie is geplaatst."): the same words with and without JavaScript.

- Without JavaScript a form posts and the answer redirects (303) to the page that shows the result. The address
  carries a code, never the text (``with_notice(url, "posted")`` adds ``done=posted`` before the ``#fragment``);
  the page looks the code up in its domain's whitelist (a ``Notices``) and shows the message as a notification
  banner. An unknown code shows nothing.
- With htmx the answer is a fragment; ``announce(message, focus=...)`` gives the headers that say what happened:
  ``HX-Trigger-After-Settle`` with the event ``dialoog:done`` carrying ``message`` and ``focus`` (a CSS selector).
  app/static/dialoog.js says the message in the page's live region (``#live`` in base.html), moves focus to the
  element and scrolls it into view.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from app.kit.i18n import gettext as _

DONE = "done"  # the query parameter


class Notices:
    """A domain's whitelist of notices: code to message id (``N_``), translated when shown."""

    def __init__(self, messages: Mapping[str, str]) -> None:
        self.messages = dict(messages)

    def message(self, code: str | None) -> str:
        """The message for ``code`` in the reader's language; empty for an unknown or missing code."""
        return _(self.messages[code]) if code and code in self.messages else ""

    def url(self, url: str, code: str) -> str:
        """``url`` with ``done=code`` (refuses a code not in the list: a typo must not pass silently)."""
        if code not in self.messages:
            raise KeyError(code)
        return with_notice(url, code)


def with_notice(url: str, code: str) -> str:
    """``url`` with ``done=code`` in its query, before any ``#fragment``."""
    base, hash_, fragment = url.partition("#")
    base = base + ("&" if "?" in base else "?") + f"{DONE}={code}"
    return base + hash_ + fragment


def announce(message: str = "", *, focus: str = "") -> dict[str, str]:
    """The headers of an htmx answer that tell the page what happened: ``message`` for the live region and
    ``focus``, the selector of the element to focus (the new comment, the error summary, the edit form). ASCII
    JSON, so any text fits in a header."""
    detail = {key: value for key, value in (("message", message), ("focus", focus)) if value}
    return {"HX-Trigger-After-Settle": json.dumps({"dialoog:done": detail}, ensure_ascii=True)}

"""The archive without personal data (``--without-personal-data``): e-mail addresses out, people's names replaced
by pseudonyms that stay the same for one person throughout the archive, so threads stay readable.

A person's pseudonym is made from their user id ("Deelnemer 7", "Medewerker SDFL 3", "Medewerker gemeente 12"):
the id is in the data anyway (``author_id``), so the pseudonym tells nothing more, and the same person has the same
pseudonym in every archive. Names written in free text (audit summaries, comments) are replaced as whole words;
e-mail addresses anywhere are replaced by ``[e-mailadres]``. Documents uploaded to the trajectory are archived as
they are: LEESMIJ.txt says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from app.models import Role

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
EMAIL_PLACEHOLDER = "[e-mailadres]"
# Shorter names are left alone in free text: they would replace parts of ordinary words' neighbours.
MIN_NAME = 3

_LABELS = {Role.admin.value: "Medewerker SDFL {id}", Role.municipality.value: "Medewerker gemeente {id}"}
_PARTICIPANT = "Deelnemer {id}"
_APPLICANT = "Aanvrager {id}"  # a consultation request without a user yet: by the request's id

# Columns that hold personal data themselves, per table: left out (a name column gets the pseudonym instead).
DROPPED: dict[str, frozenset[str]] = {
    "users": frozenset({"email", "pseudonym", "last_login_at", "locale"}),
    "participations": frozenset({"email", "pseudonym", "locale"}),
    "audit_events": frozenset({"ip"}),
}


def label(user_id: int, role: str) -> str:
    return _LABELS.get(role, _PARTICIPANT).format(id=user_id)


class Privacy:
    """How the rows are written: as they are (``keep``), or without personal data."""

    def __init__(
        self, keep: bool, people: Iterable[tuple[int, str, str]] = (), applicants: Iterable[tuple[int, str]] = ()
    ) -> None:
        """``people``: (user id, name, role) of everyone in the archive; ``applicants``: (participation id, name)
        of the consultation requests without a user."""
        self.keep = keep
        self.labels: dict[int, str] = {}
        names: dict[str, str] = {}
        for user_id, name, role in sorted(people):
            self.labels[user_id] = label(user_id, role)
            if len(name.strip()) >= MIN_NAME:
                names.setdefault(name.strip(), self.labels[user_id])
        self.applicants: dict[int, str] = {}
        for pid, name in sorted(applicants):
            self.applicants[pid] = _APPLICANT.format(id=pid)
            if len(name.strip()) >= MIN_NAME:
                names.setdefault(name.strip(), self.applicants[pid])
        self.names = names
        if keep:
            names = {}
        # Longest first, so "Jan de Vries" is replaced before a "Jan" could be; whole words only.
        ordered = sorted(names, key=lambda n: (-len(n), n))
        self._names = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)") if ordered else None

    def name_of(self, user_id: int | None, name: str) -> str:
        """A person's name as the archive shows it."""
        if self.keep or user_id is None:
            return name if self.keep else self.text(name)
        return self.labels.get(user_id, _PARTICIPANT.format(id=user_id))

    def text(self, value: str) -> str:
        if self.keep:
            return value
        value = EMAIL.sub(EMAIL_PLACEHOLDER, value)
        if self._names is not None:
            value = self._names.sub(lambda m: self.names[m.group(0)], value)
        return value

    def value(self, value: Any) -> Any:
        """Free text in a value, also inside JSON (the audit trail's before and after)."""
        if self.keep:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def row(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """One row as the archive holds it."""
        if self.keep:
            return row
        dropped = DROPPED.get(table, frozenset())
        out = {key: self.value(value) for key, value in row.items() if key not in dropped}
        if table == "users":
            out["name"] = self.name_of(row["id"], row["name"])
        elif table == "participations":
            user_id = row.get("user_id")
            out["name"] = self.name_of(user_id, "") if user_id else self.applicants.get(row["id"], "")
        elif table == "audit_events" and row.get("actor_id") is not None:
            out["actor_label"] = self.name_of(row["actor_id"], "")
        return out

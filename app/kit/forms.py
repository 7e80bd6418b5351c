"""Form state: what a form shows again after an invalid submission.

A view hands the template one ``FormState`` (the values as typed and one message per field) instead of loose
dicts; a page with several forms of one kind says in a subclass which form the state belongs to, as typed
fields, so that templates never take ids apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FormState:
    """The values as typed (field name to text) and the error per field name."""

    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    @property
    def invalid(self) -> bool:
        return bool(self.errors)

"""Registry rows as plain tuples for :mod:`fupin.bulk` (imports and the demo write hundreds
of thousands of them; model instances would cost more than the database)."""

from __future__ import annotations

import enum
from typing import Any

from django.utils import timezone

from fupin.households.models import Household, HouseholdEvent, Person


def _columns(model, skip=()) -> list[tuple[str, str, Any]]:
    out = []
    for f in model._meta.concrete_fields:
        if f.attname in skip:
            continue
        default = f.get_default() if f.has_default() else (None if f.null else "")
        if isinstance(default, enum.Enum):
            default = default.value
        out.append((f.attname, f.column, default))
    return out


class Table:
    """Column order and defaults of a model, and a way to turn a dict into a row."""

    def __init__(self, model, stamps=("created_at", "updated_at", "at"), with_pk: bool = True) -> None:
        self.model = model
        self.fields = _columns(model, skip=() if with_pk else (model._meta.pk.attname,))
        self.columns = [c for _, c, _ in self.fields]
        self.stamps = [a for a, _, _ in self.fields if a in stamps]

    def row(self, values: dict[str, Any]) -> tuple:
        now = values.get("_now") or timezone.now()
        out = []
        for attname, _, default in self.fields:
            if attname in values:
                out.append(values[attname])
            elif attname in self.stamps:
                out.append(now)
            else:
                out.append(default() if callable(default) else default)
        return tuple(out)


HOUSEHOLDS = Table(Household)
PERSONS = Table(Person)
EVENTS = Table(HouseholdEvent, with_pk=False)

"""Registry rows as plain tuples for :mod:`fupin.bulk` (imports and the demo write hundreds
of thousands of them; model instances would cost more than the database)."""

from __future__ import annotations

import enum
import json
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
        self.position = {a: i for i, (a, _, _) in enumerate(self.fields)}
        self.json = {f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"}
        self.stamps = [self.position[a] for a, _, _ in self.fields if a in stamps]
        self.callables = [(i, d) for i, (_, _, d) in enumerate(self.fields) if callable(d)]
        self.defaults = [
            None if callable(d) else json.dumps(d) if a in self.json else d for a, _, d in self.fields
        ]

    def row(self, values: dict[str, Any]) -> tuple:
        """A row: the given values (by attribute name), defaults elsewhere, timestamps = ``_now``."""
        out = self.defaults.copy()
        for i, d in self.callables:
            out[i] = json.dumps(d()) if self.fields[i][0] in self.json else d()
        now = values.get("_now") or timezone.now()
        for i in self.stamps:
            out[i] = now
        position = self.position
        for k, v in values.items():
            i = position.get(k)
            if i is not None:
                out[i] = json.dumps(v, ensure_ascii=False) if k in self.json else v
        return tuple(out)


HOUSEHOLDS = Table(Household)
PERSONS = Table(Person)
EVENTS = Table(HouseholdEvent, with_pk=False)

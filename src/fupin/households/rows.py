"""Registry rows as plain tuples for :mod:`fupin.bulk` (imports and the demo write hundreds
of thousands of them; model instances would cost more than the database)."""

from __future__ import annotations

from fupin.bulk import Table
from fupin.households.models import Household, HouseholdEvent, Person

HOUSEHOLDS = Table(Household)
PERSONS = Table(Person)
EVENTS = Table(HouseholdEvent, with_pk=False)

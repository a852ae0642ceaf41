"""A generated schedule: columns of integer fen, one entry per instalment.

Columns (not a list of objects) keep generation fast; :attr:`Schedule.installments`
materialises rows when someone wants to read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from fupin.core.money import from_fen
from fupin.core.schedule.terms import Terms


@dataclass(frozen=True, slots=True)
class Installment:
    seq: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal
    fees: Decimal
    total: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Schedule:
    terms: Terms
    maturity: dt.date
    accrual_dates: tuple[dt.date, ...]
    due_dates: tuple[dt.date, ...]
    principal: tuple[int, ...]
    interest: tuple[int, ...]
    fees: tuple[int, ...]
    balance: tuple[int, ...]
    upfront_interest: int = 0
    upfront_fees: int = 0
    deposit: int = 0
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.due_dates)

    @property
    def total_interest(self) -> int:
        """All interest of the loan, upfront part included."""
        return sum(self.interest) + self.upfront_interest

    @property
    def installments(self) -> list[Installment]:
        return [
            Installment(
                seq=i + 1,
                due_date=self.due_dates[i],
                principal=from_fen(self.principal[i]),
                interest=from_fen(self.interest[i]),
                fees=from_fen(self.fees[i]),
                total=from_fen(self.principal[i] + self.interest[i] + self.fees[i]),
                balance=from_fen(self.balance[i]),
            )
            for i in range(len(self.due_dates))
        ]

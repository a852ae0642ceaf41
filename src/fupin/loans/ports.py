"""Two questions a repayment asks of the apps above the loans, without importing them.

A repayment is the loans' own writer (:mod:`fupin.loans.repayments`), but two programmes change
what it posts, and both live in apps that build on the loans (their records point at loans):

* **relief** — S-HALF (篇3): an on-time payment that settles the current instalment but half its
  interest is completed by the county's subsidy. Answered by :mod:`fupin.subsidies.services`.
* **recovery shares** — R-RSK-3: money recovered on a written-off loan the risk fund paid for
  goes back to the parties in the shares they bore. Answered by :mod:`fupin.riskfund.services`.

Each of those apps plugs its answer in when Django starts (its ``AppConfig.ready``), so the
imports run one way (subsidies → loans, riskfund → loans) and a repayment still asks both. A
question nobody answers is an error at the first payment, never a silent "no".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Relief:
    """What a subsidy adds to a payment: ``fen`` on instalment ``installment``; ``record(repayment)``
    writes the subsidy's own line once the repayment exists."""

    fen: int
    installment: Any
    record: Callable[[Any], None]


@dataclass(frozen=True)
class Shares:
    """Where a recovery goes: the credits (postings) and ``record(repayment)`` for the fund's books."""

    postings: list
    record: Callable[[Any], None]


class ReliefRule(Protocol):
    def __call__(
        self, loan: Any, rows: dict[int, Any], amount: int, on: dt.date, late: bool
    ) -> Relief | None: ...


class SharesRule(Protocol):
    def __call__(self, loan: Any, amount: int) -> Shares | None: ...


_relief: ReliefRule | None = None
_shares: SharesRule | None = None


def answer_relief(rule: ReliefRule) -> None:
    global _relief
    _relief = rule


def answer_recovery_shares(rule: SharesRule) -> None:
    global _shares
    _shares = rule


def relief(loan, rows: dict[int, Any], amount: int, on: dt.date, late: bool) -> Relief | None:
    if _relief is None:
        raise RuntimeError("fupin.subsidies is not installed: nobody answers S-HALF relief")
    return _relief(loan, rows, amount, on, late)


def recovery_shares(loan, amount: int) -> Shares | None:
    if _shares is None:
        raise RuntimeError("fupin.riskfund is not installed: nobody answers recovery shares")
    return _shares(loan, amount)

"""Repayment schedules (R-PRD-1 … R-PRD-3): ``generate(terms) -> Schedule``.

Shapes live in two modules because they share their loops: :mod:`.declining` (interest on
the outstanding balance: equal instalments, equal principal, interest only, bullet) and
:mod:`.flat` (interest on the original principal: flat, fixed percentage).
"""

from __future__ import annotations

from fupin.core.schedule.generate import generate
from fupin.core.schedule.model import Installment, Schedule
from fupin.core.schedule.terms import Terms

__all__ = ["Installment", "Schedule", "Terms", "generate"]

"""The county risk compensation fund (风险补偿金, DOMAIN §8): loss sharing, recoveries, leverage.

* R-RSK-2 — a loss is shared among any number of parties by weights; presets 80:20 (篇6:
  fiscal fund 80 %, bank 20 %), 7:3, 4:4:2 (county fund, provincial agricultural credit guarantee
  company, bank). Where insurance is configured it pays first (篇8) and the rest is shared.
* R-RSK-3 — every yuan recovered after the payout goes back to the parties in the same shares.
* R-RSK-1 — leverage = loans outstanding / fund balance.

Splits are exact to the fen (largest remainder, :func:`fupin.core.money.allocate`): the parts
always add up to the whole. Worked example: a loss of 30 001.00 yuan, insurance 10 000.00, shared
4:4:2 → 8 000.40, 8 000.40, 4 000.20; insurance + shares = 30 001.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from fupin.core.money import allocate

PartyKind = Literal["fund", "bank", "guarantor", "government"]
PARTY_KINDS: dict[str, str] = {
    "fund": "风险补偿金",
    "bank": "贷款银行",
    "guarantor": "担保公司",
    "government": "其他财政资金",
}


@dataclass(frozen=True)
class Party:
    name: str
    kind: PartyKind
    weight: int  # a share as a whole number: 80 and 20 are 80 %, 20 %


SHARING: dict[str, tuple[Party, ...]] = {
    "80:20": (Party("县风险补偿金", "fund", 80), Party("贷款银行", "bank", 20)),
    "7:3": (Party("县风险补偿金", "fund", 7), Party("贷款银行", "bank", 3)),
    "4:4:2": (
        Party("县风险补偿金", "fund", 4),
        Party("省农业信贷担保公司", "guarantor", 4),
        Party("贷款银行", "bank", 2),
    ),
}

CAUSES: dict[str, str] = {
    "disaster": "自然灾害",
    "accident": "意外事故",
    "illness": "疾病",
    "business": "经营失败",
}


@dataclass(frozen=True)
class Split:
    loss: int
    insurance: int
    shares: tuple[int, ...]  # in the order of the parties


def loss_split(loss: int, parties: tuple[Party, ...] | list[Party], insurance: int = 0) -> Split:
    """Share a loss of ``loss`` fen: insurance first (at most the loss), the rest by weights.
    ``insurance + sum(shares) == loss`` always."""
    if loss < 0 or insurance < 0:
        raise ValueError("loss and insurance must not be negative")
    paid = min(insurance, loss)
    return Split(loss, paid, tuple(allocate(loss - paid, [p.weight for p in parties])))


def recovery_split(amount: int, parties: tuple[Party, ...] | list[Party]) -> list[int]:
    """A recovery of ``amount`` fen returned to the parties in the same shares as the loss."""
    return allocate(amount, [p.weight for p in parties])


def leverage(outstanding: int, balance: int) -> Fraction | None:
    """Loans outstanding per yuan of fund (放大倍数); None while the fund is empty."""
    return Fraction(outstanding, balance) if balance > 0 else None


def ratio_label(parties: tuple[Party, ...] | list[Party]) -> str:
    return ":".join(str(p.weight) for p in parties)

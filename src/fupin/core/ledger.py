"""The double-entry ledger (R-REP-6): accounts, journal entries, the balance invariant,
reversals and the trial balance.

Amounts are integer fen. A posting moves money on one side of one account; an entry is a
set of postings whose debits equal their credits — :func:`check_entry` is called before any
entry is saved, with every problem listed (Beancount's rule: never skipped). Entries are
never changed: a correction is :func:`reversal` (the same postings, sides swapped), which the
service lets only a second person make (DOMAIN §14's threat model).

Worked example: disbursing 20 000.00 yuan with 1 % upfront interest (P-GROUP) is
  Dr 1301 贷款本金 2 000 000 fen / Cr 1011 结算 1 980 000 fen, Cr 6011 利息收入 20 000 fen;
debits 2 000 000 = credits 1 980 000 + 20 000, so the entry balances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from fupin.core.errors import ProblemList, ValidationFailed

Kind = Literal["asset", "liability", "income", "expense", "equity", "off_asset", "off_contra"]
KINDS: dict[str, str] = {
    "asset": "资产",
    "liability": "负债",
    "income": "收入",
    "expense": "支出",
    "equity": "所有者权益",
    # memorandum (表外) accounts, kept in pairs so that every entry still balances
    "off_asset": "表外",
    "off_contra": "表外对应",
}
NORMAL_DEBIT = frozenset({"asset", "expense", "off_asset"})  # balances of these grow with debits


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    kind: Kind


# The preset chart (R-REP-6 lists the accounts; codes follow the rural credit co-ops' chart).
CHART: tuple[Account, ...] = (
    Account("1011", "现金及结算", "asset"),
    Account("1132", "应收利息", "asset"),
    Account("1221", "应收财政贴息", "asset"),
    Account("1301", "贷款本金", "asset"),
    Account("1304", "贷款损失准备", "asset"),  # a deduction from the loans: a credit balance
    Account("1311", "互助社社员借款", "asset"),  # a cooperative's own book (R-COOP-1)
    Account("2011", "农户保证金存款", "liability"),
    Account("2241", "代收担保费", "liability"),
    Account("2251", "农户溢缴款", "liability"),
    Account("2261", "应付农户贴息", "liability"),
    Account("2262", "应付风险分担方", "liability"),
    Account("2401", "递延收益（预收利息）", "liability"),  # interest received before it is earned
    Account("2901", "风险补偿金", "liability"),
    Account("4001", "政府配套互助资金", "equity"),
    Account("4002", "社员入社互助金", "equity"),
    Account("4101", "存量贷款迁入过渡", "equity"),  # the other side of a migrated book (issue 25 (2))
    Account("6011", "利息收入", "income"),
    Account("6012", "罚息收入", "income"),
    Account("6013", "核销后收回", "income"),
    Account("6021", "资金占用费收入", "income"),
    Account("6701", "贷款核销", "expense"),
    Account("6702", "资产减值损失", "expense"),  # loan-loss provisions (core.provisioning)
    Account("7011", "表外应收未收利息", "off_asset"),  # interest of non-accrual loans (issue 24 (13))
    Account("7012", "表外应收未收利息对应", "off_contra"),
)


@dataclass(frozen=True)
class Posting:
    account: str
    debit: int = 0  # fen
    credit: int = 0  # fen
    loan: int | None = None  # the loan whose sub-ledger this posting belongs to
    memo: str = ""


@dataclass(frozen=True)
class Entry:
    date: dt.date
    memo: str
    postings: tuple[Posting, ...]


def check_entry(entry: Entry, chart: Mapping[str, Account]) -> None:
    """Refuse an entry that cannot be posted, listing every problem: fewer than two postings,
    a posting with no side, both sides or a negative or non-integer amount, an unknown
    account, and debits that differ from credits."""
    problems = ProblemList()
    if len(entry.postings) < 2:
        problems.add("一笔分录至少要有两行（借和贷）", rule="R-REP-6")
    debit = credit = 0
    for n, p in enumerate(entry.postings, 1):
        where = f"第 {n} 行"
        if p.account not in chart:
            problems.add(f"{where}：科目“{p.account}”不存在", field="account", value=p.account, row=n)
        amounts_ok = all(type(x) is int for x in (p.debit, p.credit))
        if not amounts_ok or p.debit < 0 or p.credit < 0:
            problems.add(f"{where}：金额应为非负的整数分", field="amount", row=n)
            continue
        if (p.debit > 0) == (p.credit > 0):
            problems.add(f"{where}：借方和贷方必须且只能填一个", field="amount", row=n)
        debit += p.debit
        credit += p.credit
    if debit != credit:
        problems.add(f"借贷不平衡：借方 {debit / 100:.2f} 元，贷方 {credit / 100:.2f} 元", rule="R-REP-6")
    problems.raise_if_any("分录不能记账", code="entry_unbalanced" if debit != credit else "entry_invalid")


def reversal(entry: Entry, on: dt.date, memo: str) -> Entry:
    """The entry that undoes ``entry``: every posting on the other side, dated ``on`` — never
    before the entry it undoes (the books of any day between would show the undoing alone)."""
    if on < entry.date:
        raise ValidationFailed(
            f"冲正日期 {on:%Y-%m-%d} 不能早于原分录日期 {entry.date:%Y-%m-%d}", code="reversal_date"
        )
    return Entry(on, memo, tuple(replace(p, debit=p.credit, credit=p.debit) for p in entry.postings))


@dataclass(frozen=True)
class Line:
    account: str
    debit: int
    credit: int

    @property
    def net(self) -> int:
        """Debits minus credits (positive: a debit balance)."""
        return self.debit - self.credit


def trial_balance(postings: Iterable[tuple[str, int, int]]) -> list[Line]:
    """Totals per account of (account, debit, credit) rows, ordered by account code; their
    debits and credits are equal whenever every entry was balanced (R-REP-6)."""
    totals: dict[str, list[int]] = {}
    for account, debit, credit in postings:
        t = totals.setdefault(account, [0, 0])
        t[0] += debit
        t[1] += credit
    return [Line(a, d, c) for a, (d, c) in sorted(totals.items())]


def balance(kind: str, debit: int, credit: int) -> int:
    """An account's balance on its normal side: assets and expenses debit − credit, the rest
    credit − debit. Worked example: 贷款本金 with 2 000 000 lent and 500 000 repaid → 1 500 000."""
    return debit - credit if kind in NORMAL_DEBIT else credit - debit

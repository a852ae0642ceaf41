"""A bank that keeps its own core system sends the county its loans every month (issue 25 (3)): the
借据 file — each loan as it stands at the month-end — and the repayments of the month. This module
reads both in their documented layouts (docs/operations.md), compares a month's file with the
version it replaces, and finds what the county must look into (the reconciliation worklist).
Nothing here knows the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from fupin.core.errors import Problem, ValidationFailed
from fupin.core.loanbook import Column, Row, percent_rate, text, yuan
from fupin.core.money import fmt, to_fen
from fupin.core.origination import PURPOSES
from fupin.core.products import PRESETS
from fupin.core.registry import parse_date

STATUSES = {
    "正常": "normal",
    "逾期": "overdue",
    "结清": "settled",
    "已结清": "settled",
    "核销": "written_off",
}
PURPOSE_CODES = {label: code for code, label in PURPOSES.items()}
STATUS_LABELS = {"normal": "正常", "overdue": "逾期", "settled": "结清", "written_off": "核销"}

LOAN_COLUMNS: tuple[Column, ...] = (
    Column("contract_no", "借据号", True, "银行的借据编号"),
    Column("name", "借款人姓名", True, ""),
    Column("id_number", "身份证号", True, "18 位，按文本填写"),
    Column("product", "贷款品种", False, ""),
    Column("start", "发放日期", True, ""),
    Column("maturity", "到期日期", True, ""),
    Column("amount", "发放金额（元）", True, ""),
    Column("rate", "执行年利率（%）", False, "如 3.45"),
    Column("balance", "贷款余额（元）", True, "月末本金余额"),
    Column("overdue_principal", "逾期本金（元）", False, "空：0"),
    Column("overdue_interest", "欠息（元）", False, "空：0"),
    Column("status", "贷款状态", False, "正常、逾期、结清或核销；空：按余额和逾期本金"),
    Column("days_overdue", "逾期天数", False, "最早一期逾期的天数；有逾期而未填：按 1 天计"),
    Column("purpose", "贷款用途", False, "种植业、养殖业等（贷款用途清单）；空：按生产经营"),
    Column("interest_paid", "累计已还利息（元）", False, "发放以来已还利息，不含罚息；空：各月还款文件合计"),
)
LOAN_ALIASES = {
    "借据编号": "contract_no",
    "合同编号": "contract_no",
    "客户名称": "name",
    "姓名": "name",
    "证件号码": "id_number",
    "身份证号码": "id_number",
    "产品": "product",
    "发放金额": "amount",
    "贷款金额(元)": "amount",
    "年利率(%)": "rate",
    "余额(元)": "balance",
    "贷款余额": "balance",
    "状态": "status",
    "逾期天数(天)": "days_overdue",
}
REPAYMENT_COLUMNS: tuple[Column, ...] = (
    Column("contract_no", "借据号", True, ""),
    Column("paid_on", "还款日期", True, "须在本月内"),
    Column("principal", "还款本金（元）", True, ""),
    Column("interest", "还款利息（元）", False, "空：0"),
    Column("penalty", "罚息（元）", False, "空：0"),
    Column("subsidy", "贴息扣减（元）", False, "按期还款时按政策少收的利息（先扣后补）；空：0"),
)
REPAYMENT_ALIASES = {
    "借据编号": "contract_no",
    "交易日期": "paid_on",
    "归还本金": "principal",
    "归还利息": "interest",
}


@dataclass(frozen=True)
class FeedLoan:
    """A loan as the bank's 借据 file states it at the month-end; amounts in fen."""

    row: int
    contract_no: str
    name: str
    id_number: str
    product: str
    start: dt.date
    maturity: dt.date
    amount: int
    rate: Decimal | None
    balance: int
    overdue_principal: int
    overdue_interest: int
    status: str
    days_overdue: int = 0
    purpose: str = ""  # a code of the purposes list; "": the file names none
    interest_paid: int | None = None  # fen since disbursement (penalty excluded); None: not stated

    def facts(self) -> dict[str, Any]:
        """What a later version of the month is compared on (:func:`diff`)."""
        d = asdict(self)
        del d["row"], d["id_number"]
        return {k: _plain(v) for k, v in d.items()}


def _plain(v: Any) -> Any:
    """A value as JSON keeps it, equal however it was read: 3.45 and 3.4500 are one rate."""
    if isinstance(v, dt.date):
        return v.isoformat()
    return f"{v.normalize():f}" if isinstance(v, Decimal) else v


@dataclass(frozen=True)
class FeedRepayment:
    row: int
    contract_no: str
    paid_on: dt.date
    principal: int
    interest: int
    penalty: int
    subsidy: int = 0  # fen of interest left to the county at this repayment (S-HALF)


def _fen(label: str) -> Callable[[Any], int]:
    return lambda v: to_fen(yuan(v, label))


def _days(v: Any) -> int:
    t = text(v)
    if not t.isdigit():
        raise ValidationFailed(f"逾期天数“{t}”应为不小于 0 的整数", code="feed_cell")
    return int(t)


def product_code(text_: str) -> str:
    """The preset a file's 贷款品种 names (by code or name), else ``subsidy`` (脱贫人口小额信贷): the loans
    a bank reports to the county are the programme's."""
    t = text_.strip()
    if t in PRESETS:
        return t
    return next((code for code, p in PRESETS.items() if p.name == t), "subsidy")


def _purpose(v: Any) -> str:
    t = text(v)
    code = PURPOSE_CODES.get(t, t if t in PURPOSES else None)
    if code is None:
        raise ValidationFailed(f"贷款用途“{t}”应为{'、'.join(PURPOSES.values())}之一", code="feed_cell")
    return code


def _date(label: str) -> Callable[[Any], dt.date]:
    def parse(v: Any) -> dt.date:
        day, why = parse_date(v, dt.date.max)
        if why or day is None:
            raise ValidationFailed(f"{label}{why or '不是有效日期'}", code="feed_cell")
        return day

    return parse


def read_loans(
    numbered: Iterable[tuple[int, Sequence[Any]]], columns: Mapping[str, int], month_end: dt.date
) -> tuple[list[FeedLoan], list[Problem]]:
    """Every row of a 借据 file checked: the loans and every problem (a contract twice, a loan
    disbursed after the month-end, a status the layout does not know, a balance above the amount)."""
    labels = {c.key: c.header for c in LOAN_COLUMNS}
    out: list[FeedLoan] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for n, values in numbered:
        row = Row(n, values, columns, labels)
        contract = row.contract(seen, 40)  # as long as the stored contract numbers may be
        name, number = row.borrower(month_end)
        start = row.parsed("start", _date("发放日期"), True)
        maturity = row.parsed("maturity", _date("到期日期"), True)
        amount = row.parsed("amount", _fen("发放金额"), True)
        rate = row.parsed("rate", percent_rate, False)
        balance = row.parsed("balance", _fen("贷款余额"), True)
        over_p = row.parsed("overdue_principal", _fen("逾期本金"), False) or 0
        over_i = row.parsed("overdue_interest", _fen("欠息"), False) or 0
        days = row.parsed("days_overdue", _days, False) or 0
        purpose = row.parsed("purpose", _purpose, False) or ""
        interest_paid = row.parsed("interest_paid", _fen("累计已还利息"), False)
        label = text(row.cell("status"))
        status = (
            STATUSES.get(label)
            if label
            else ("settled" if balance == 0 else "overdue" if over_p else "normal")
        )
        if status is None:
            row.bad("status", f"贷款状态应为{'、'.join(STATUS_LABELS.values())}之一")
        if start and start > month_end:
            row.bad("start", f"发放日期晚于本月末 {month_end:%Y-%m-%d}")
        if start and maturity and maturity < start:
            row.bad("maturity", "到期日期早于发放日期")
        if amount is not None and balance is not None and balance > amount:
            row.bad("balance", "贷款余额大于发放金额")
        if balance is not None and over_p > balance:
            row.bad("overdue_principal", "逾期本金大于贷款余额")
        if row.problems:
            problems.extend(row.problems)
            continue
        assert number and start and maturity and amount is not None and balance is not None and status
        out.append(
            FeedLoan(
                n,
                contract,
                name,
                number,
                text(row.cell("product")),
                start,
                maturity,
                amount,
                Decimal(rate.numerator * 100) / rate.denominator if rate is not None else None,
                balance,
                over_p,
                over_i,
                status,
                max(days, 1) if over_p or over_i else days,
                purpose,
                interest_paid,
            )
        )
    return out, problems


def read_repayments(
    numbered: Iterable[tuple[int, Sequence[Any]]],
    columns: Mapping[str, int],
    month: dt.date,
    month_end: dt.date,
) -> tuple[list[FeedRepayment], list[Problem]]:
    """Every row of a repayments file checked: a payment dated outside the month is a problem."""
    labels = {c.key: c.header for c in REPAYMENT_COLUMNS}
    out: list[FeedRepayment] = []
    problems: list[Problem] = []
    for n, values in numbered:
        row = Row(n, values, columns, labels)
        contract = row.contract(None, 40)  # a loan's repayments: as many rows as there were
        paid_on = row.parsed("paid_on", _date("还款日期"), True)
        principal = row.parsed("principal", _fen("还款本金"), True)
        interest = row.parsed("interest", _fen("还款利息"), False) or 0
        penalty = row.parsed("penalty", _fen("罚息"), False) or 0
        subsidy = row.parsed("subsidy", _fen("贴息扣减"), False) or 0
        if paid_on and not month <= paid_on <= month_end:
            row.bad("paid_on", f"还款日期不在 {month:%Y年%m月} 内")
        if row.problems:
            problems.extend(row.problems)
            continue
        assert paid_on is not None and principal is not None
        out.append(FeedRepayment(n, contract, paid_on, principal, interest, penalty, subsidy))
    return out, problems


def diff(before: Mapping[str, dict[str, Any]], after: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """What a corrected file changes in a month already imported: the contracts added and removed,
    and for each contract in both the fields that differ (before → after)."""
    changed = {}
    for no in sorted(set(before) & set(after)):
        fields = {k: [before[no].get(k), v] for k, v in after[no].items() if before[no].get(k) != v}
        if fields:
            changed[no] = fields
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": changed,
    }


@dataclass(frozen=True)
class Known:
    """What the county knows of a loan's borrower: registered (a current member of a registered
    household), and the household's credit line (fen; None: not rated)."""

    registered: bool
    line: int | None


@dataclass(frozen=True)
class Item:
    """One entry of the reconciliation worklist."""

    kind: str
    contract_no: str
    message: str
    amount: int = 0  # the amount at issue, fen


KINDS = {
    "unregistered": "借款人不在贫困户档案中",
    "over_line": "贷款金额超过授信额度",
    "dropped": "上月在贷，本月借据中没有",
    "unbalanced": "余额与还款对不上",
    "unknown_repayment": "还款的借据号不在本月借据中",
}


def worklist(
    loans: Sequence[FeedLoan],
    repayments: Sequence[FeedRepayment],
    previous: Mapping[str, tuple[int, str]] | None,
    known: Mapping[str, Known],
    month: dt.date,
) -> list[Item]:
    """What the county must look into in one bank's month (issue 25 (3)):

    * a loan to someone not in the registry (``known`` by contract number);
    * a loan above the household's credit line;
    * a loan last month's file had unsettled (``previous``: balance, status by contract) and this
      month's leaves out;
    * a balance that the month's repayments do not explain: last month's balance (or, for a loan
      disbursed this month, its amount) less the principal repaid this month must be this
      month's balance — worked example: 10 000.00 last month, 2 500.00 repaid, 7 000.00 now → off
      by 500.00;
    * a repayment of a contract not in this month's file."""
    items: list[Item] = []
    repaid: dict[str, int] = {}
    for r in repayments:
        repaid[r.contract_no] = repaid.get(r.contract_no, 0) + r.principal
    listed = {x.contract_no for x in loans}
    for x in loans:
        k = known.get(x.contract_no)
        if k is None or not k.registered:
            items.append(
                Item("unregistered", x.contract_no, f"{KINDS['unregistered']}（{x.name}）", x.amount)
            )
        elif x.status not in ("settled", "written_off") and (k.line is None or x.amount > k.line):
            line = "未评级授信" if k.line is None else f"授信额度 {fmt(k.line)} 元"
            items.append(
                Item(
                    "over_line",
                    x.contract_no,
                    f"发放金额 {fmt(x.amount)} 元，{line}",
                    x.amount - (k.line or 0),
                )
            )
        if x.status == "written_off":
            continue
        before = previous.get(x.contract_no) if previous is not None else None
        if before is not None:
            opening = before[0]
        elif x.start >= month:
            opening = x.amount
        else:
            continue  # no earlier month to start from: nothing to add up
        expected = opening - repaid.get(x.contract_no, 0)
        if expected != x.balance:
            items.append(
                Item(
                    "unbalanced",
                    x.contract_no,
                    f"期初 {fmt(opening)} − 本月还本 {fmt(repaid.get(x.contract_no, 0))} = "
                    f"{fmt(expected)} 元，借据余额 {fmt(x.balance)} 元",
                    expected - x.balance,
                )
            )
    for no, (balance, status) in sorted((previous or {}).items()):
        if no not in listed and status not in ("settled", "written_off"):
            items.append(
                Item("dropped", no, f"{KINDS['dropped']}（上月余额 {fmt(balance)} 元，未报结清）", balance)
            )
    for no in sorted(set(repaid) - listed):
        items.append(Item("unknown_repayment", no, KINDS["unknown_repayment"], repaid[no]))
    return items

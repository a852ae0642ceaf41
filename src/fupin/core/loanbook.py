"""A lender's existing loan book as a county hands it over (issue 25 (2)): the published layout,
one loan a row, and the check of every row — all problems at once, none at the first.

The file states each loan's terms (product, amount, disbursement date, term, rate: the schedule
is made from the product as for any loan of Fupin) and where it stands at the cut-over: the
principal and interest paid to date, and — to check against the schedule — the arrears. The
registry match, the jurisdiction and the lender's products are checked by the importer
(:mod:`fupin.loans.book_import`); this module knows nothing of the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from fupin.core import idcard
from fupin.core.errors import Problem, ValidationFailed
from fupin.core.money import money, to_fen
from fupin.core.registry import clean_header, column_letter, parse_date


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    note: str


# the published template's columns, in order (docs/loan-book-import.md)
COLUMNS: tuple[Column, ...] = (
    Column("contract_no", "合同编号", True, "贷款合同或借据编号，全县唯一"),
    Column("name", "借款人姓名", True, "须与贫困户档案中的姓名一致"),
    Column("id_number", "借款人身份证号", True, "18 位，按文本填写；借款人须在贫困户档案中"),
    Column("product", "贷款产品", True, "产品名称或代码，如“脱贫人口小额信贷”或 subsidy"),
    Column("amount", "贷款金额（元）", True, "放款本金"),
    Column("start", "放款日期", True, "如 2025-03-15"),
    Column("term", "期限（月）", False, "空：按产品默认期限"),
    Column("rate", "年利率（%）", False, "如 3.45；空：按产品在放款日的利率"),
    Column("principal_paid", "已还本金（元）", True, "截至迁移日累计已还本金"),
    Column("interest_paid", "已还利息（元）", True, "截至迁移日累计已还利息"),
    Column("overdue_principal", "逾期本金（元）", False, "填写则与还款计划核对"),
    Column("overdue_interest", "逾期利息（元）", False, "填写则与还款计划核对"),
)
ALIASES = {  # headers banks' own exports use for the same thing
    "借据编号": "contract_no",
    "借据号": "contract_no",
    "合同号": "contract_no",
    "姓名": "name",
    "客户名称": "name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "证件号码": "id_number",
    "产品": "product",
    "贷款品种": "product",
    "贷款金额": "amount",
    "发放金额(元)": "amount",
    "发放日期": "start",
    "期限": "term",
    "贷款期限(月)": "term",
    "执行利率(%)": "rate",
    "已还本金": "principal_paid",
    "已还利息": "interest_paid",
    "逾期本金": "overdue_principal",
    "逾期利息": "overdue_interest",
}


@dataclass(frozen=True)
class LoanRecord:
    """One row of a loan book, checked in itself. Amounts in fen; ``amount`` also in yuan (the
    schedule key); ``rate`` an annual fraction; ``term`` in months; None: the product's."""

    row: int
    contract_no: str
    name: str
    id_number: str
    product: str
    amount: Decimal
    start: dt.date
    term: int | None
    rate: Fraction | None
    principal_paid: int
    interest_paid: int
    overdue_principal: int | None
    overdue_interest: int | None

    @property
    def principal(self) -> int:
        return to_fen(self.amount)


def map_columns(
    raw: Sequence[Any], columns: Sequence[Column] = COLUMNS, aliases: Mapping[str, str] = ALIASES
) -> tuple[dict[str, int], list[Problem]]:
    """The column of each field from the header row; an unknown, repeated or missing column is a
    problem (row 1)."""
    headers = {clean_header(c.header): c.key for c in columns} | {
        clean_header(k): v for k, v in aliases.items()
    }
    index: dict[str, int] = {}
    problems: list[Problem] = []
    for i, h in enumerate(raw):
        text = clean_header(h)
        if not text:
            continue
        key = headers.get(text)
        if key is None:
            problems.append(Problem(f"无法识别的列“{h}”（{column_letter(i)}列）", field=str(h), row=1))
        elif key in index:
            problems.append(Problem(f"列“{h}”重复（{column_letter(i)}列）", field=str(h), row=1))
        else:
            index[key] = i
    for c in columns:
        if c.required and c.key not in index:
            problems.append(Problem(f"缺少必填列“{c.header}”", field=c.header, row=1))
    return index, problems


def text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def yuan(v: Any, label: str) -> Decimal:
    """A yuan amount as a cell gives it: a number (a float from Excel, read by its shortest
    decimal form, so 1234.5 is 1 234.50 and 0.1 + 0.2 typed as 0.3 stays 0.30) or text."""
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValidationFailed(f"{label}不是有效金额", code="money_invalid")
        v = Decimal(repr(v))
    return money(v if not isinstance(v, str) else v.replace(",", ""), field=label)


def _term(v: Any) -> int:
    t = text(v)
    if not t.isdigit() or not 1 <= int(t) <= 360:
        raise ValidationFailed(f"期限“{t}”应为 1–360 之间的整数（月）", code="term_invalid")
    return int(t)


def percent_rate(v: Any) -> Fraction:
    t = text(v).rstrip("%％")
    try:
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(t)
    except InvalidOperation:
        raise ValidationFailed(
            f"年利率“{t}”不是有效数字（如 3.45 表示 3.45%）", code="rate_invalid"
        ) from None
    if not d.is_finite() or not 0 <= d < 100:
        raise ValidationFailed(f"年利率“{t}”应在 0–100 之间（百分数）", code="rate_range")
    return Fraction(d) / 100


LABELS = {c.key: c.header for c in COLUMNS}


class Row:
    """One row being read: its cells by field, and what is wrong with it."""

    def __init__(
        self, n: int, values: Sequence[Any], columns: Mapping[str, int], labels: Mapping[str, str]
    ) -> None:
        self.n, self.values, self.columns, self.labels = n, values, columns, labels
        self.problems: list[Problem] = []

    def cell(self, key: str) -> Any:
        i = self.columns.get(key)
        return self.values[i] if i is not None and i < len(self.values) else None

    def bad(self, key: str, message: str) -> None:
        value = text(self.cell(key))[:40]
        self.problems.append(Problem(message, field=self.labels[key], value=value, row=self.n))

    def contract(self, seen: dict[str, int] | None, longest: int) -> str:
        """The row's contract number: given, at most ``longest`` characters, once in the file
        (``seen``: each number read so far → its row; None: a file where it may repeat)."""
        label = self.labels["contract_no"]
        contract = text(self.cell("contract_no"))
        if not contract:
            self.bad("contract_no", f"“{label}”不能为空")
        elif len(contract) > longest:
            self.bad("contract_no", f"{label}过长（最多 {longest} 个字符）")
        elif seen is not None and contract in seen:
            self.bad("contract_no", f"{label}“{contract}”在文件中重复（第 {seen[contract]} 行已有）")
        elif seen is not None:
            seen[contract] = self.n
        return contract

    def borrower(self, today: dt.date) -> tuple[str, str | None]:
        """The row's borrower: a name, and a valid ID number (as of ``today``)."""
        name = text(self.cell("name"))
        if not name:
            self.bad("name", f"“{self.labels['name']}”不能为空")
        return name, self.parsed("id_number", lambda v: idcard.parse(v, today=today).value, True)

    def parsed(self, key: str, parse: Any, required: bool) -> Any:
        v = self.cell(key)
        if v is None or text(v) == "":
            if required:
                self.bad(key, f"“{self.labels[key]}”不能为空")
            return None
        try:
            return parse(v)
        except ValidationFailed as e:
            self.bad(key, e.message)
            return None


def read_loans(
    numbered: Iterable[tuple[int, Sequence[Any]]],
    columns: Mapping[str, int],
    products: Mapping[str, str],
    cutover: dt.date,
) -> tuple[list[LoanRecord], list[Problem]]:
    """Every (row number, values) checked: the records and every problem. ``products`` maps a
    product's name and code to its code. A contract number twice in the file is a problem on
    its second row; so is a loan disbursed after the cut-over or paid as much as it lent."""
    records: list[LoanRecord] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for n, values in numbered:
        row = Row(n, values, columns, LABELS)
        contract = row.contract(seen, 32)
        name, number = row.borrower(cutover)
        product = text(row.cell("product"))
        code = products.get(product) or products.get(product.lower())
        if not product:
            row.bad("product", "“贷款产品”不能为空")
        elif code is None:
            row.bad("product", f"未知的贷款产品“{product}”")
        amount = row.parsed("amount", lambda v: yuan(v, "贷款金额"), True)
        if amount is not None and amount <= 0:
            row.bad("amount", "贷款金额须大于 0")
        start = None
        if text(row.cell("start")) == "":
            row.bad("start", "“放款日期”不能为空")
        else:
            start, why = parse_date(row.cell("start"), dt.date.max)
            if why:
                row.bad("start", f"放款日期{why}")
            elif start is not None and start > cutover:
                row.bad("start", f"放款日期晚于迁移截至日 {cutover:%Y-%m-%d}")
        term = row.parsed("term", _term, False)
        rate = row.parsed("rate", percent_rate, False)
        paid_p = row.parsed("principal_paid", lambda v: to_fen(yuan(v, "已还本金")), True)
        paid_i = row.parsed("interest_paid", lambda v: to_fen(yuan(v, "已还利息")), True)
        over_p = row.parsed("overdue_principal", lambda v: to_fen(yuan(v, "逾期本金")), False)
        over_i = row.parsed("overdue_interest", lambda v: to_fen(yuan(v, "逾期利息")), False)
        if amount is not None and paid_p is not None and paid_p >= to_fen(amount):
            row.bad("principal_paid", "已还本金不小于贷款金额：已结清的贷款不必迁入")
        if row.problems:
            problems.extend(row.problems)
            continue
        assert number is not None and amount is not None and start is not None and code is not None
        records.append(
            LoanRecord(
                n,
                contract,
                name,
                number,
                code,
                amount,
                start,
                term,
                rate,
                paid_p or 0,
                paid_i or 0,
                over_p,
                over_i,
            )
        )
    return records, problems

"""Bringing a lender's existing loan book in (issue 25 (2)): all or nothing, every bad row listed,
a re-run of the same file changing nothing.

``loans_import`` reads the published layout (:mod:`fupin.core.loanbook`), matches each borrower
to the registry by ID number (the name must agree), checks that the village is in the importer's
jurisdiction and served by the lender, that the lender offers the product and that the loan
keeps within it, makes each schedule from the product and places the payments to date on it —
the arrears the file states must be the arrears the schedule gives — and then, unless it is a
dry run, writes every loan as it stands at the cut-over (:func:`fupin.loans.book.write_book`):
schedules with what is paid, what the nightly batch holds, and one opening entry per village on
the lender's books (Dr 1301 / 1132, Cr 2011 / 2241 / 2401, the rest to 4101 存量贷款迁入过渡).

The cut-over is the last business day the nightly batch has closed (on a system that has
closed none, the day given), so that the next close carries the loans on from there.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.db import transaction

from fupin.accounts import access
from fupin.accounts.services import system_user
from fupin.audit.services import audit_record
from fupin.cob.day import closed_through
from fupin.core.errors import Problem, ValidationFailed
from fupin.core.loanbook import COLUMNS, LoanRecord, map_columns, read_loans
from fupin.core.money import fmt
from fupin.core.products import PRESETS
from fupin.divisions.models import Institution
from fupin.divisions.selectors import institution_acting, lenders_of
from fupin.households.exports import workbook
from fupin.households.selectors import registry_matches
from fupin.households.xlsx import SheetProblem, checked_rows
from fupin.loans import book
from fupin.loans.models import Loan

ACTION = "loanbook.import"
CHUNK = 5_000  # contract numbers looked up at a time
Progress = Callable[[str], None]


@dataclass
class Outcome:
    """What an import found and did: ``state`` checked (a dry run that passed), imported, or
    failed (nothing written; ``problems`` lists every bad row)."""

    state: str
    institution: str
    cutover: dt.date | None
    rows: int = 0
    loans: int = 0  # written (or, on a dry run, to be written)
    already: int = 0  # in the file and already imported (a re-run): left as they are
    principal: int = 0  # outstanding principal of the loans written, fen
    overdue: int = 0  # of which loans in arrears
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "institution": self.institution,
            "cutover": self.cutover.isoformat() if self.cutover else None,
            "rows": self.rows,
            "loans": self.loans,
            "already_imported": self.already,
            "outstanding_principal": fmt(self.principal),
            "overdue_loans": self.overdue,
            "problems": [p.as_dict() for p in sorted(self.problems, key=lambda p: (p.row or 0, p.field))],
        }


def product_names() -> dict[str, str]:
    """A product's name and code (as typed in a file) → its code."""
    out = {code: code for code in PRESETS if code != "custom"}
    out.update({p.name: code for code, p in PRESETS.items() if code != "custom"})
    return out


def loans_import(
    *,
    acting_user,
    path: Path,
    institution: str | None,
    cutover: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Check and (unless ``dry_run``) import one loan-book file for ``institution`` (its code; a
    bank's staff: their own). ``acting_user`` None is the system itself (``fupin import-loans``
    without --user). Raises only for what is not the file's fault (no such institution, no
    permission); everything wrong in the file is in the outcome's problems."""
    say = progress or (lambda msg: None)
    lender = institution_acting(acting_user, ACTION, institution, "请选择要迁入存量贷款的贷款机构")
    closed = closed_through()
    if closed is not None and cutover not in (None, closed):
        raise ValidationFailed(
            f"迁移截至日须为最近一次日终处理的营业日 {closed:%Y-%m-%d}（给出的是 {cutover:%Y-%m-%d}）",
            code="cutover_not_closed_day",
        )
    day = closed or cutover
    if day is None:
        raise ValidationFailed("系统尚未进行过日终处理：请给出迁移截至日", code="cutover_required")
    out = Outcome("failed", lender.code, day)
    say("检查文件")
    try:
        numbered = list(_numbered(checked_rows(path)))
    except SheetProblem as e:
        out.problems = e.problems
        return out
    if not numbered:
        out.problems = [Problem("文件中没有数据：第 1 行应为表头，贷款从第 2 行起")]
        return out
    columns, problems = map_columns(numbered[0][1])
    if problems:
        out.problems = problems
        return out
    records, problems = read_loans(numbered[1:], columns, product_names(), day)
    out.rows = len(numbered) - 1
    say(f"已读取 {out.rows} 行")
    plan, templates, problems2, already = _match(acting_user, lender, records, day)
    out.problems = problems + problems2
    out.already = already
    if out.problems:
        return out
    out.loans = len(plan)
    out.principal = sum(templates[p.schedule].principal - p.paid[0] for p in plan if p.paid)
    out.overdue = sum(1 for p in plan if p.unpaid_from <= day)
    if dry_run or not plan:
        out.state = "checked" if dry_run else "imported"
        return out
    say(f"写入 {len(plan)} 笔贷款")
    with transaction.atomic():
        book.write_book(
            plan,
            on=day + dt.timedelta(days=1),
            actor=acting_user or system_user(),
            progress=say,
            opening=f"存量贷款迁入期初余额（{lender.short_name or lender.name}，截至 {day:%Y-%m-%d}）",
            templates=templates,
        )
        audit_record(
            actor=acting_user,
            action="loanbook.import",
            obj=lender,
            after={
                "loans": out.loans,
                "principal": out.principal,
                "cutover": day.isoformat(),
                "file": path.name,
            },
        )
    out.state = "imported"
    return out


def _numbered(rows):
    """(row number, values) of the non-empty rows."""
    for n, values in enumerate(rows, start=1):
        if any(v is not None and v != "" for v in values):
            yield n, values


def _stored(records: list[LoanRecord]) -> dict[str, tuple]:
    """The loans already stored under the file's contract numbers: (lender, household, principal,
    start) by number."""
    numbers = [r.contract_no for r in records]
    found: dict[str, tuple] = {}
    for i in range(0, len(numbers), CHUNK):
        rows = Loan.objects.filter(contract_no__in=numbers[i : i + CHUNK]).values_list(
            "contract_no", "institution_id", "household_id", "principal", "start"
        )
        found.update((no, rest) for no, *rest in rows)
    return {k: tuple(v) for k, v in found.items()}


def _match(
    user, lender: Institution, records: list[LoanRecord], day: dt.date
) -> tuple[list[book.Planned], dict, list[Problem], int]:
    """The loans to write (with their schedules), every problem, and how many are already in."""
    people = registry_matches(r.id_number for r in records)
    stored = _stored(records)
    serves: dict[str, bool] = {}
    allowed: dict[str, bool] = {}
    checked: list[tuple[LoanRecord, book.Planned, list[Problem]]] = []
    problems: list[Problem] = []
    plan: list[book.Planned] = []
    already = 0
    lender_name = lender.short_name or lender.name
    for r in records:
        found: list[Problem] = []
        bad = _reporter(found, r.row)

        _, name, household, village = people[r.id_number]
        if household is None:
            bad("借款人身份证号", "借款人不在贫困户档案中（按身份证号未找到，或已迁出）")
            problems.extend(found)
            continue
        if name != r.name:
            bad("借款人姓名", f"姓名与档案不符：该身份证号在档案中的姓名为“{name}”", r.name)
        if village not in allowed:
            allowed[village] = user is None or access.may(user, ACTION, code=village, institution=lender.pk)
            serves[village] = any(i.pk == lender.pk for i in lenders_of(village))
        if not allowed[village]:
            bad("借款人身份证号", "借款人所在村不在您的辖区内")
        elif not serves[village]:
            bad("借款人身份证号", f"借款人所在村不在{lender_name}的服务范围内")
        if not lender.offers(r.product):
            bad("贷款产品", f"{lender_name}不经营该产品", r.product)
        if r.contract_no in stored:
            if stored[r.contract_no] == (lender.pk, household, r.principal, r.start):
                already += 1  # the same loan, imported before: a re-run leaves it as it is
                continue
            bad("合同编号", "合同编号已被系统中的另一笔贷款使用", r.contract_no)
        planned = book.Planned(
            (r.product, r.amount, r.start),
            household,
            village,
            day + dt.timedelta(days=1),
            institution=lender.pk,
            paid=(r.principal_paid, r.interest_paid),
            contract_no=r.contract_no,
            term=r.term,
            rate=r.rate,
        )
        checked.append((r, planned, found))
    failed: dict[tuple, str] = {}
    templates = book.templates_of([p for _, p, found in checked if not found], failed)
    for r, planned, found in checked:
        bad = _reporter(found, r.row)
        if planned.schedule in failed:
            bad("贷款金额（元）", failed[planned.schedule])
        elif not found:
            planned = _placed(planned, templates[planned.schedule], r, day, bad)
        if found:
            problems.extend(found)
        else:
            plan.append(planned)
    return plan, templates, problems, already


def _reporter(found: list[Problem], row: int) -> Callable[..., None]:
    def bad(column: str, message: str, value: str = "") -> None:
        found.append(Problem(message, field=column, value=value, row=row))

    return bad


def _placed(p: book.Planned, t: book.Template, r: LoanRecord, day: dt.date, bad) -> book.Planned:
    """The loan with the first instalment it has not wholly paid by the cut-over as ``unpaid_from``
    (the day after when none is due); what the file says of it that the schedule contradicts is
    reported through ``bad``. Due at the cut-over: the instalments whose due date is on or
    before it; 已还利息 excludes interest taken upfront at disbursement (P-GROUP)."""
    due = bisect_right(t.dues, day)
    cur = t.earning_from[due]
    owed_interest = t.interest_before[min(cur + 1, len(t.rows))]
    if r.interest_paid > owed_interest:
        bad("已还利息（元）", f"已还利息超过截至迁移日的应收利息 {fmt(owed_interest)} 元")
    overdue_p = max(0, t.principal_before[due] - r.principal_paid)
    overdue_i = max(0, t.interest_before[due] - r.interest_paid)
    if r.overdue_principal is not None and r.overdue_principal != overdue_p:
        bad("逾期本金（元）", f"逾期本金与还款计划不符：按计划截至迁移日已到期未还本金为 {fmt(overdue_p)} 元")
    if r.overdue_interest is not None and r.overdue_interest != overdue_i:
        bad("逾期利息（元）", f"逾期利息与还款计划不符：按计划截至迁移日已到期未还利息为 {fmt(overdue_i)} 元")
    first = (
        min(
            bisect_right(t.principal_before, r.principal_paid),
            bisect_right(t.interest_before, r.interest_paid),
        )
        - 1
    )
    unpaid_from = t.dues[first] if first < len(t.rows) and t.dues[first] <= day else p.unpaid_from
    return replace(p, unpaid_from=unpaid_from)


def template_xlsx() -> bytes:
    """The published template (docs/loan-book-import.md): the columns, two example loans, notes."""
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    text = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet("存量贷款")
    for i, c in enumerate(COLUMNS):
        ws.write_string(0, i, c.header, head)
        ws.set_column(i, i, 16 if i != 2 else 21, text)
    examples = [
        ["HT2024000123", "张三", "11010519491231002X", "脱贫人口小额信贷", "30000", "2024-05-20", "36"],
        ["HT2025000456", "李四", "110105196807120013", "扶贫小额贷款（一年期）", "8000", "2025-09-10", "12"],
    ]
    examples[0] += ["", "0", "2210.00", "", ""]
    examples[1] += ["3.10", "2000", "120.00", "", ""]
    for r, row in enumerate(examples, start=1):
        for c, v in enumerate(row):
            ws.write_string(r, c, v, text)
    ws.freeze_panes(1, 0)
    notes = wb.add_worksheet("填写说明")
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 90)
    notes.write_string(0, 0, "列", head)
    notes.write_string(0, 1, "说明", head)
    for i, c in enumerate(COLUMNS, start=1):
        notes.write_string(i, 0, c.header + ("（必填）" if c.required else ""))
        notes.write_string(i, 1, c.note)
    lines = [
        "每笔未结清贷款一行；已结清的贷款不必迁入。金额为元，最多两位小数；日期可写作 2024-05-01。",
        "还款计划按产品规则由放款日、金额、期限和利率生成；已还本金、已还利息按期次先后冲抵。",
        "已还利息不含放款时预收的利息。填写了逾期本金、逾期利息的，须与按计划截至迁移日已到期未还的金额一致。",
        "迁移截至日为系统最近一次日终处理的营业日；导入后当晚的日终处理从该日起继续计息、计罚息。",
        "导入时全部检查：只要有一处错误，整个文件都不会导入，并列出每一处错误；同一文件再次导入不会重复建立贷款。",
    ]
    for i, line in enumerate(lines, start=len(COLUMNS) + 2):
        notes.write_string(i, 1, line)
    wb.close()
    return buf.getvalue()

"""Importing a bank's monthly data (issue 25 (3)): the 借据 file and the month's repayments, as .xlsx
or .csv, all or nothing with every bad row listed; borrowers matched to the registry by ID number.
A corrected file for a month already imported replaces that month's data, and the feed keeps what
changed (loans added, removed, and each changed field before → after); the same files again change
nothing."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from fupin.audit.services import audit_record
from fupin.core import feeds as core
from fupin.core.errors import Conflict, Problem, ValidationFailed
from fupin.core.idcard import mask_id
from fupin.core.loanbook import map_columns
from fupin.divisions.selectors import institution_acting
from fupin.feeds.models import Feed, FeedLoan, FeedRepayment
from fupin.households.selectors import Match, registry_matches
from fupin.households.xlsx import SheetProblem, checked_rows

ACTION = "feed.import"


@dataclass
class Outcome:
    """``state``: checked (a dry run that passed), imported, unchanged (the same files again) or
    failed (nothing written; ``problems`` lists every bad row, by file)."""

    state: str
    institution: str
    month: dt.date
    version: int = 0
    loans: int = 0
    repayments: int = 0
    feed: int | None = None
    problems: list[dict] = field(default_factory=list)
    diff: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "institution": self.institution,
            "month": f"{self.month:%Y-%m}",
            "version": self.version,
            "loans": self.loans,
            "repayments": self.repayments,
            "feed": self.feed,
            "diff": self.diff,
            "problems": self.problems,
        }


def month_of(text: str) -> dt.date:
    """ "2026-10" → 2026-10-01."""
    try:
        year, month = (int(x) for x in text.strip().split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise ValidationFailed(f"月份“{text}”应写作 YYYY-MM，如 2026-10", code="month_invalid") from None


def _rows(path: Path) -> list[list[Any]]:
    """The rows of an .xlsx (checked as any upload is) or a .csv (UTF-8 or GBK, as banks export)."""
    if path.suffix.lower() != ".csv":
        return list(checked_rows(path))
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetProblem([Problem("CSV 文件的编码无法识别（请存为 UTF-8 或 GBK）")])
    return [[v if v != "" else None for v in row] for row in csv.reader(io.StringIO(text))]


def _read(path: Path, name: str, read, columns, aliases, *args) -> tuple[list, list[dict]]:
    """One file's records, or its problems each named with the file."""
    try:
        rows = [(n, r) for n, r in enumerate(_rows(path), start=1) if any(v not in (None, "") for v in r)]
    except SheetProblem as e:
        return [], [{**p.as_dict(), "file": name} for p in e.problems]
    if not rows:
        return [], [{"message": "文件中没有数据：第 1 行应为表头", "file": name}]
    index, problems = map_columns(rows[0][1], columns, aliases)
    if problems:
        return [], [{**p.as_dict(), "file": name} for p in problems]
    records, problems = read(rows[1:], index, *args)
    return records, [{**p.as_dict(), "file": name} for p in problems]


def _digest(loans: list[core.FeedLoan], repayments: list[core.FeedRepayment]) -> str:
    """SHA-256 of what the files say (not of their bytes: a spreadsheet saved again differs in its
    timestamps, and a CSV of the same rows is the same month)."""
    said = [[{**asdict(x), "row": 0} for x in loans], [{**asdict(r), "row": 0} for r in repayments]]
    return hashlib.sha256(json.dumps(said, sort_keys=True, default=str).encode()).hexdigest()


def feed_import(
    *,
    acting_user,
    institution: str | None,
    month: dt.date,
    loans_path: Path,
    loans_name: str,
    repayments_path: Path | None = None,
    repayments_name: str = "",
    dry_run: bool = False,
) -> Outcome:
    """Check and (unless ``dry_run``) import one bank's month (see the module). ``acting_user``
    None is the system itself (``fupin import-feed`` without --user)."""
    lender = institution_acting(acting_user, ACTION, institution, "请选择报送数据的贷款机构")
    if not lender.own_core:
        raise Conflict(
            f"“{lender.name}”在本系统记账，不报送月度借据（在自有核心系统记账的银行，登记时注明）",
            code="institution_books_here",
        )
    month = month.replace(day=1)
    month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    out = Outcome("failed", lender.code, month)
    loans, problems = _read(
        loans_path, loans_name, core.read_loans, core.LOAN_COLUMNS, core.LOAN_ALIASES, month_end
    )
    repayments: list[core.FeedRepayment] = []
    if repayments_path is not None:
        repayments, more = _read(
            repayments_path,
            repayments_name,
            core.read_repayments,
            core.REPAYMENT_COLUMNS,
            core.REPAYMENT_ALIASES,
            month,
            month_end,
        )
        problems += more
    if problems:
        out.problems = problems
        return out
    out.loans, out.repayments = len(loans), len(repayments)
    digest = _digest(loans, repayments)
    stored = Feed.objects.filter(institution=lender, month=month).first()
    out.version = (stored.version if stored else 0) + 1
    if stored is not None and stored.digest == digest:
        out.state, out.version, out.feed, out.diff = "unchanged", stored.version, stored.pk, {}
        return out
    before = {x.contract_no: x.to_domain().facts() for x in stored.loans.all()} if stored else {}
    out.diff = core.diff(before, {x.contract_no: x.facts() for x in loans}) if stored else {}
    if dry_run:
        out.state = "checked"
        return out
    borrowers = registry_matches(x.id_number for x in loans)
    with transaction.atomic():
        feed = stored or Feed(institution=lender, month=month, division_code=lender.county_id)
        feed.version = out.version
        feed.loans_file, feed.repayments_file = loans_name[:200], repayments_name[:200]
        feed.digest, feed.imported_by, feed.diff = digest, acting_user, out.diff
        feed.summary = {
            "loans": len(loans),
            "balance": sum(x.balance for x in loans),
            "overdue_principal": sum(x.overdue_principal for x in loans),
            "repayments": len(repayments),
            "repaid_principal": sum(r.principal for r in repayments),
            "unregistered": sum(1 for x in loans if borrowers[x.id_number].household is None),
        }
        feed.save()
        if stored is not None:  # the corrected file replaces the month
            FeedLoan.objects.filter(feed=feed).delete()
            FeedRepayment.objects.filter(feed=feed).delete()
        FeedLoan.objects.bulk_create(
            [_loan(feed, x, borrowers[x.id_number]) for x in loans], batch_size=2_000
        )
        village = {x.contract_no: borrowers[x.id_number].village for x in loans}
        FeedRepayment.objects.bulk_create(
            [
                FeedRepayment(
                    feed=feed,
                    contract_no=r.contract_no,
                    village_code=village.get(r.contract_no, ""),
                    paid_on=r.paid_on,
                    principal=r.principal,
                    interest=r.interest,
                    penalty=r.penalty,
                    subsidy=r.subsidy,
                )
                for r in repayments
            ],
            batch_size=2_000,
        )
        audit_record(
            actor=acting_user,
            action="feed.import",
            obj=feed,
            division_code=lender.county_id,
            after={
                "month": f"{month:%Y-%m}",
                "version": feed.version,
                "loans": len(loans),
                "added": len(out.diff.get("added", [])),
                "removed": len(out.diff.get("removed", [])),
                "changed": len(out.diff.get("changed", {})),
            },
        )
    out.state, out.feed = "imported", feed.pk
    return out


def _loan(feed: Feed, x: core.FeedLoan, borrower: Match) -> FeedLoan:
    index, _, household, village = borrower
    return FeedLoan(
        feed=feed,
        contract_no=x.contract_no,
        name=x.name,
        id_index=index,
        id_masked=mask_id(x.id_number),
        household_id=household,
        village_code=village,
        product=x.product[:40],
        start=x.start,
        maturity=x.maturity,
        amount=x.amount,
        rate=x.rate,
        balance=x.balance,
        overdue_principal=x.overdue_principal,
        overdue_interest=x.overdue_interest,
        status=x.status,
        days_overdue=x.days_overdue,
        purpose=x.purpose,
        interest_paid=x.interest_paid,
    )

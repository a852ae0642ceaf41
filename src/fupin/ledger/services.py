"""Ledger writes (R-REP-6). :func:`entry_post` is what every money-moving service calls inside
its own transaction; it checks the entry first and never skips the check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fupin import compiled
from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core import ledger as core
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed, reason_required
from fupin.ledger.models import Account, JournalEntry, Posting


def chart_install() -> None:
    """The preset chart (R-REP-6), for a database that lacks it: the migration seeds it; the
    demo institution calls this too, so a database emptied since (a test flush) has it again."""
    Account.objects.bulk_create(
        [Account(code=a.code, name=a.name, kind=a.kind) for a in core.CHART], ignore_conflicts=True
    )


def chart(codes: Sequence[str]) -> dict[str, core.Account]:
    """The active accounts among ``codes`` (one query: every posting reads only its own)."""
    rows = compiled.rows(
        Account, where={"active": True, "code__in": sorted(set(codes))}, fields=("name", "kind"), order=()
    )
    return {a.code: core.Account(a.code, a.name, a.kind) for a in rows}  # type: ignore[arg-type]


def entry_post(
    *,
    acting_user,
    date: dt.date,
    memo: str,
    division_code: str,
    postings: Sequence[core.Posting],
    source: str = "",
    book: str = "bank",
    institution: int | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry. The caller (a service such as a disbursement) has already
    checked the actor's authority; this checks the entry itself and writes it with its audit
    row — the database checks the balance once more at commit (PostgreSQL). A bank's entry is
    posted in its ``institution``'s books (issue 25)."""
    core.check_entry(core.Entry(date, memo, tuple(postings)), chart([p.account for p in postings]))
    with transaction.atomic(savepoint=False):  # part of the caller's transaction: all or nothing with it
        entry = JournalEntry(
            book=book,
            institution_id=institution,
            date=date,
            memo=memo[:200],
            division_code=division_code,
            source=source[:40],
            reverses=reverses,
            created_by=acting_user,
        )
        compiled.insert([entry])
        _postings_write([(entry, postings)])
        audit_record(
            actor=acting_user,
            action="ledger.post",
            obj=entry,
            division_code=division_code,
            after={
                "date": str(date),
                "memo": entry.memo,
                "source": entry.source,
                "postings": [[p.account, p.debit, p.credit, p.loan] for p in postings],
            },
        )
    return entry


@dataclass(frozen=True)
class Draft:
    """One entry of a batch (:func:`entries_post`)."""

    date: dt.date
    memo: str
    division_code: str
    source: str
    postings: tuple[core.Posting, ...]
    institution: int | None = None  # whose books (issue 25)


def entries_post(
    *, acting_user, drafts: Sequence[Draft], audit_division: str, book: str = "bank"
) -> list[JournalEntry]:
    """Post many balanced entries at once (the nightly batch: one per village and day). Every
    entry is checked as :func:`entry_post` checks one; one audit row lists them all."""
    accounts = chart([p.account for d in drafts for p in d.postings])
    for d in drafts:
        core.check_entry(core.Entry(d.date, d.memo, d.postings), accounts)
    if not drafts:
        return []
    with transaction.atomic():
        entries = JournalEntry.objects.bulk_create(
            [
                JournalEntry(
                    book=book,
                    institution_id=d.institution,
                    date=d.date,
                    memo=d.memo[:200],
                    division_code=d.division_code,
                    source=d.source[:40],
                    created_by=acting_user,
                )
                for d in drafts
            ]
        )
        _postings_write(list(zip(entries, (d.postings for d in drafts), strict=True)))
        audit_record(
            actor=acting_user,
            action="ledger.post_batch",
            obj=entries[0],
            division_code=audit_division,
            after={
                "entries": [e.pk for e in entries],
                "source": drafts[0].source,
                "debit": sum(p.debit for d in drafts for p in d.postings),
            },
        )
    return entries


def _postings_write(rows: Sequence[tuple[JournalEntry, Sequence[core.Posting]]]) -> None:
    compiled.insert(
        [
            Posting(
                entry=entry,
                account_id=p.account,
                debit=p.debit,
                credit=p.credit,
                loan_id=p.loan,
                memo=p.memo[:100],
            )
            for entry, postings in rows
            for p in postings
        ]
    )


def entry_reverse(
    *, acting_user, entry: JournalEntry, reason: str, on: dt.date | None = None
) -> JournalEntry:
    """Undo a posted entry with a reversing entry, made by a second person (DOMAIN §14)."""
    access.require(acting_user, "ledger.reverse", entry)
    reason = reason_required(reason, "冲正原因")
    if entry.created_by_id is not None and entry.created_by_id == acting_user.pk:
        raise NotPermitted("冲正须由记账人以外的另一人操作", code="maker_checker")
    if entry.reverses_id is not None:
        raise Conflict("这是一笔冲正分录，不能再冲正；如有错误请重新记账", code="entry_is_reversal")
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise Conflict("该分录已经冲正", code="entry_reversed")
    postings = tuple(
        core.Posting(p.account_id, p.debit, p.credit, p.loan_id, p.memo) for p in entry.postings.all()
    )
    undo = core.reversal(
        core.Entry(entry.date, entry.memo, postings),
        on or timezone.localdate(),
        f"冲正 #{entry.pk}：{reason}",
    )
    return entry_post(
        acting_user=acting_user,
        date=undo.date,
        memo=undo.memo,
        division_code=entry.division_code,
        postings=undo.postings,
        source=f"reversal:{entry.pk}",
        book=entry.book,
        institution=entry.institution_id,
        reverses=entry,
    )


def account_save(*, acting_user, code: str, name: str, kind: str, active: bool = True) -> Account:
    """Add an account to the chart or rename / (de)activate one (R-REP-6: the chart is
    configurable). An account with postings keeps its code and kind."""
    access.require(acting_user, "ledger.chart")
    code, name = code.strip(), name.strip()
    if not (code.isdigit() and 4 <= len(code) <= 8) or not name or kind not in core.KINDS:
        raise ValidationFailed(
            "科目代码应为 4–8 位数字，名称不能为空，类别须为资产、负债、收入、支出或所有者权益",
            code="account_invalid",
        )
    with transaction.atomic():
        existing = Account.objects.select_for_update().filter(code=code).first()
        before = (
            {"name": existing.name, "kind": existing.kind, "active": existing.active} if existing else None
        )
        if existing and existing.kind != kind and existing.postings.exists():
            raise Conflict("已有记账的科目不能改变类别", code="account_kind")
        account, _ = Account.objects.update_or_create(
            code=code, defaults={"name": name[:40], "kind": kind, "active": active}
        )
        audit_record(
            actor=acting_user,
            action="ledger.account",
            object_type="ledger.Account",
            object_id=code,
            before=before,
            after={"name": account.name, "kind": kind, "active": active},
        )
    return account

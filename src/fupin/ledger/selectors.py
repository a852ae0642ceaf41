"""Ledger reads, scoped to the reader's jurisdiction: the trial balance, an account's
statement, one entry. Each lending institution keeps its own books (issue 25): a bank's staff
read their institution's entries only, and every read can be asked for one institution."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.db.models import Q, Sum

from fupin.accounts import access
from fupin.core import ledger as core
from fupin.core.errors import NotFound
from fupin.ledger.models import Account, JournalEntry, Posting

STATEMENT_ROWS = 500


def books_open_on(book: str = "bank") -> dt.date | None:
    """The first day the books hold (a county that brought its loans in: the opening balances);
    None while they are empty. Balances before it are not known to the system."""
    return JournalEntry.objects.filter(book=book).order_by("date").values_list("date", flat=True).first()


def _postings(reader, book: str, institution: int | None = None) -> Q:
    scope = access.scope_q(reader, "ledger.view", "entry__division_code", "entry__institution")
    return scope & Q(entry__book=book) & (Q() if institution is None else Q(entry__institution=institution))


def trial_balance(reader, *, on: dt.date, book: str = "bank", institution: int | None = None) -> dict:
    """Debit and credit totals and the balance of every account up to ``on``, for the entries
    in the reader's jurisdiction (one institution's books if given); ``balanced`` is the invariant
    of R-REP-6."""
    access.require(reader, "ledger.view")
    rows = (
        Posting.objects.filter(_postings(reader, book, institution), entry__date__lte=on)
        .values("account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by("account_id")
    )
    accounts = {a.code: a for a in Account.objects.all()}
    lines = []
    for line in core.trial_balance((r["account_id"], r["d"], r["c"]) for r in rows):
        a = accounts[line.account]
        lines.append(
            {
                "code": a.code,
                "name": a.name,
                "kind": a.kind,
                "kind_label": a.get_kind_display(),
                "debit": line.debit,
                "credit": line.credit,
                "balance": core.balance(a.kind, line.debit, line.credit),
            }
        )
    debit, credit = sum(x["debit"] for x in lines), sum(x["credit"] for x in lines)
    return {"lines": lines, "debit": debit, "credit": credit, "balanced": debit == credit, "on": on}


def statement(
    reader, code: str, *, start: dt.date, end: dt.date, book: str = "bank", institution: int | None = None
) -> dict:
    """An account's postings between two dates with the opening balance and a running
    balance (at most ``STATEMENT_ROWS`` rows shown; the closing balance is always complete)."""
    access.require(reader, "ledger.view")
    account = Account.objects.filter(code=code).first()
    if account is None:
        raise NotFound("科目不存在", code="not_found")
    scope = _postings(reader, book, institution) & Q(account=account)
    before = Posting.objects.filter(scope, entry__date__lt=start).aggregate(d=Sum("debit"), c=Sum("credit"))
    opening = core.balance(account.kind, before["d"] or 0, before["c"] or 0)
    window = Posting.objects.filter(scope, entry__date__gte=start, entry__date__lte=end)
    totals = window.aggregate(d=Sum("debit"), c=Sum("credit"))
    rows = []
    running = opening
    for p in window.select_related("entry").order_by("entry__date", "entry_id", "id")[:STATEMENT_ROWS]:
        running += core.balance(account.kind, p.debit, p.credit)
        rows.append({"posting": p, "balance": running})
    closing = opening + core.balance(account.kind, totals["d"] or 0, totals["c"] or 0)
    return {
        "account": account,
        "opening": opening,
        "rows": rows,
        "closing": closing,
        "debit": totals["d"] or 0,
        "credit": totals["c"] or 0,
        "truncated": window.count() > STATEMENT_ROWS,
    }


def entry_get(reader, pk: int) -> JournalEntry:
    return access.get_visible(
        reader, JournalEntry.objects.select_related("created_by", "reverses"), "ledger.view", pk=pk
    )


# --- control accounts and their sub-ledgers ------------------------------------------------------
# An app that keeps an account per item (the loans keep 1301 and 1132 per loan) registers, when
# Django starts, how to total its items within a reader's jurisdiction; the trial balance then
# holds each total against the control account (R-REP-6). The ledger imports none of those apps.

# (reader, institution or None) -> ({account: total of items}, items)
SubLedger = Callable[[Any, int | None], tuple[dict[str, int], int]]
_SUBLEDGERS: list[SubLedger] = []


def subledger_register(totals: SubLedger) -> None:
    if totals not in _SUBLEDGERS:
        _SUBLEDGERS.append(totals)


def subledgers(reader, *, book: str = "bank", institution: int | None = None) -> list[dict]:
    """Each registered sub-ledger against its control accounts, within the reader's jurisdiction
    (one institution's if given): ``equal`` when the items' total is the account's balance."""
    access.require(reader, "ledger.view")
    out = []
    for totals in _SUBLEDGERS:
        per_item, count = totals(reader, institution)
        for code, items in per_item.items():
            control = Posting.objects.filter(_postings(reader, book, institution), account_id=code).aggregate(
                d=Sum("debit"), c=Sum("credit")
            )
            total = (control["d"] or 0) - (control["c"] or 0)
            out.append(
                {"code": code, "control": total, "loans": int(items), "count": count, "equal": total == items}
            )
    return out


def entries_digest(prefix: str, upto: dt.date, institution: int | None = None) -> tuple[int, str]:
    """The fingerprint of the journal entries an export was made from (issue 28 (4)): every posting
    of the lenders' books (book "bank") dated up to ``upto`` in the division of code prefix
    ``prefix`` — of one lender if ``institution`` — in entry and posting order, each as the line
    ``entry|date|division|account|debit|credit``, hashed with SHA-256. Entries are never edited (a
    correction is a new entry), so the same books give the same fingerprint again:
    ``fupin ledger-digest`` recomputes it. Returns (entries, hex digest)."""
    postings = Posting.objects.filter(
        entry__book="bank", entry__date__lte=upto, entry__division_code__startswith=prefix
    )
    if institution is not None:
        postings = postings.filter(entry__institution=institution)
    h = hashlib.sha256()
    entries, last = 0, None
    for row in (
        postings.order_by("entry_id", "id")
        .values_list("entry_id", "entry__date", "entry__division_code", "account_id", "debit", "credit")
        .iterator(chunk_size=5000)
    ):
        h.update(("|".join(map(str, row)) + "\n").encode())
        if row[0] != last:
            entries, last = entries + 1, row[0]
    return entries, h.hexdigest()

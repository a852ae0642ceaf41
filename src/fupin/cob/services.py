"""Close of business for a business date (R-REP-5).

A run goes through fixed phases, each committed on its own and each safe to repeat:

1. **start** — refuses a date out of order (the day after the last closed one, or the day a
   crashed run left unfinished); cuts the active loans into chunks of one county each and
   stores them, so a resumed run does the same work in the same pieces;
2. **balances** — credit balances (溢缴款) and, from maturity, deposits (保证金) set against what
   is due (R-REP-1), as repayments with idempotency keys of their own;
3. **chunks** — for each chunk, in one transaction with its ``done`` mark: accrue interest,
   age and classify (R-REP-3), accrue penalty (R-REP-2), write the chunk's part of next day's
   collection list, post one entry per village, record the loans whose grade must move. In
   one process, or in N with ``workers``;
   Other machines may take chunks too (``fupin cob --join``: the chunks table as a job queue);
4. **finish** — grades moved (R-RAT-4: down for arrears and defaults, up for loans repaid on
   time), at a month-end each village's recovery rate and suspension (R-RPT-4), the summary;
   the run is marked done in the same transaction.

A process killed at any point leaves only whole phases and whole chunks behind; running the
date again finishes the rest, and the ledger ends the same as an uninterrupted run's. Running
a closed date again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Substr
from django.utils import timezone

from fupin import bulk
from fupin.accounts.models import BATCH_USERNAME
from fupin.accounts.services import system_user
from fupin.audit.services import audit_record
from fupin.cob.day import COB_LOCK, closed_through
from fupin.cob.models import CobChunk, CobEvent, CobRun, CollectionItem, VillageMonth
from fupin.cob.provisions import provisions_post
from fupin.core import cob as core
from fupin.core.errors import Conflict, ValidationFailed
from fupin.core.postings import accrual_postings
from fupin.core.servicing import CATEGORIES, CATEGORY_FLOORS, category, par_bucket
from fupin.feeds import selectors as feed_selectors
from fupin.ledger.services import Draft, entries_post
from fupin.loans import accrual
from fupin.loans.models import Installment, Loan, Repayment, Servicing
from fupin.loans.repayments import repayment_apply
from fupin.loans.standing import owed_of
from fupin.once import once
from fupin.ratings.rules import non_accrual_days_of, servicing_of
from fupin.ratings.selectors import programme_rules
from fupin.ratings.services import grade_events
from fupin.webhooks import outbox

CHUNK = int(
    os.environ.get("FUPIN_COB_CHUNK", "100000")
)  # loans per chunk (of one county); see docs/performance.md
KILL_ENV = "FUPIN_COB_KILL_AT"  # tests: the process kills itself (SIGKILL) at this checkpoint
KILL_CHUNK_ENV = "FUPIN_COB_KILL_CHUNK"  # tests: a worker of --workers kills itself on this chunk
LEAD_PAUSE_ENV = "FUPIN_COB_LEAD_PAUSE"  # tests: seconds the run's own process waits before each chunk
SYSTEM_USER = BATCH_USERNAME
_passed = 0


def checkpoint() -> None:
    """A point where the crash test may kill the batch (``FUPIN_COB_KILL_AT=n``: the n-th)."""
    global _passed
    _passed += 1
    if os.environ.get("FUPIN_COB_TRACE"):
        sys.stderr.write(f"checkpoint {_passed}\n")
    at = os.environ.get(KILL_ENV)
    if at and int(at) == _passed:
        os.kill(os.getpid(), signal.SIGKILL)


class Laps:
    """Seconds per step of a phase; each step ends at a checkpoint."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = round(now - self._clock, 4)
        self._clock = now
        checkpoint()


Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class Outcome:
    run: CobRun
    already_closed: bool = False


def cob_run(on: dt.date, *, workers: int = 1, progress: Progress | None = None) -> Outcome:
    """Close the business date ``on`` (see the module)."""
    if workers < 1 or workers > 32:
        raise ValidationFailed("进程数应为 1–32", code="cob_workers")
    if connection.vendor != "postgresql":
        workers = 1  # SQLite has one writer at a time
    began = time.monotonic()
    run, closed = _start(on, workers)
    if closed:
        return Outcome(run, already_closed=True)
    phases = {"start": round(time.monotonic() - began, 3)}
    _balances(run)
    phases["balances"] = round(time.monotonic() - began - phases["start"], 3)
    CobRun.objects.filter(pk=run.pk).update(chunks_open=True)
    checkpoint()
    pending = list(run.chunks.filter(done=False).values_list("pk", flat=True))
    total = run.chunks.count()
    done = total - len(pending)
    if progress:
        progress("chunks", done, total)
    if workers > 1 and len(pending) > 1:
        connections.close_all()  # each worker opens its own connection
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for f in as_completed([pool.submit(_chunk_in_worker, pk) for pk in pending]):
                    f.result()
                    done += 1
                    if progress:
                        progress("chunks", done, total)
        except BrokenProcessPool:
            # a worker died (killed, out of memory): its chunk's transaction went with it and the
            # other workers were stopped. The run stays open — money waits — until a rerun,
            # which does the chunks not done and finishes the day exactly as one process would.
            message = (
                f"营业日 {on:%Y-%m-%d} 的日终有一个工作进程意外退出（已完成 {done}/{total} 个分块）："
                "本次运行已停止，请重新运行 fupin cob，将从中断处继续"
            )
            CobRun.objects.filter(pk=run.pk).update(summary={"interrupted": message})
            raise Conflict(message, code="cob_worker_died") from None
    else:
        pause = float(os.environ.get(LEAD_PAUSE_ENV) or 0)
        for pk in pending:
            if pause:
                time.sleep(pause)
            chunk_run(pk)
            done += 1
            if progress:
                progress("chunks", done, total)
    phases["chunks"] = round(time.monotonic() - began - phases["start"] - phases["balances"], 3)
    _finish(run.pk, time.monotonic() - began, phases)
    run.refresh_from_db()
    return Outcome(run)


def cob_join(*, idle_seconds: float = 10.0, poll: float = 0.2) -> int:
    """Take part in the runs another process started, from this machine (PostgreSQL): the chunks
    table is the job queue. Take a chunk of an open run that is not done and that nobody holds
    (``FOR UPDATE SKIP LOCKED``), do it in that transaction, repeat; stop after ``idle_seconds``
    with nothing to take. The run's own process waits on a chunk someone holds (its lock) and
    finishes the run; a process that dies lets its chunk go with its transaction. Returns the
    number of chunks done here."""
    if connection.vendor != "postgresql":
        raise Conflict("多机协同日终需要 PostgreSQL", code="cob_join_database")
    done = 0
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < idle_seconds:
        with transaction.atomic():
            chunk = (
                CobChunk.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(run__state=CobRun.State.RUNNING, run__chunks_open=True, done=False)
                .order_by("run__date", "seq")
                .first()
            )
            if chunk is not None:
                chunk_run(chunk.pk)
        if chunk is None:
            time.sleep(poll)
            continue
        done += 1
        idle_since = time.monotonic()
    return done


def cob_until(until: dt.date, *, workers: int = 1, progress: Progress | None = None) -> list[Outcome]:
    """Close every business date from the day after the last closed one up to ``until``."""
    last = closed_through()
    running = CobRun.objects.filter(state=CobRun.State.RUNNING).first()
    start = running.date if running else (last + dt.timedelta(days=1) if last else until)
    out = []
    day = start
    while day <= until:
        out.append(cob_run(day, workers=workers, progress=progress))
        day += dt.timedelta(days=1)
    return out


def _start(on: dt.date, workers: int) -> tuple[CobRun, bool]:
    today = timezone.localdate()
    if on > today:
        raise Conflict(f"不能对未来的日期（{on:%Y-%m-%d}）日终；今天是 {today:%Y-%m-%d}", code="cob_future")
    with transaction.atomic():
        if connection.vendor == "postgresql":  # wait for money being posted; later postings see the run
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [COB_LOCK])
        existing = CobRun.objects.select_for_update().filter(date=on).first()
        if existing is not None and existing.state == CobRun.State.DONE:
            return existing, True
        running = CobRun.objects.filter(state=CobRun.State.RUNNING).exclude(date=on).first()
        if running is not None:
            raise Conflict(
                f"营业日 {running.date:%Y-%m-%d} 的日终尚未完成，请先重新运行该日", code="cob_unfinished"
            )
        if existing is not None:
            return existing, False  # resume a crashed run
        last = closed_through()
        if last is not None and on != last + dt.timedelta(days=1):
            if on <= last:
                raise Conflict(
                    f"{on:%Y-%m-%d} 早于已日终的 {last:%Y-%m-%d}，不能倒序日终", code="cob_out_of_order"
                )
            raise Conflict(
                f"日终须逐日进行：下一个营业日是 {last + dt.timedelta(days=1):%Y-%m-%d}",
                code="cob_out_of_order",
            )
        run = CobRun.objects.create(date=on, previous=last, workers=workers)
        CobChunk.objects.bulk_create(
            [
                CobChunk(run=run, seq=k, county=county, first=lo, last=hi, loans=n)
                for k, (county, lo, hi, n) in enumerate(_plan())
            ]
        )
        audit_record(
            actor=system_user(),
            action="cob.start",
            obj=run,
            division_code="",
            after={"date": str(on), "chunks": run.chunks.count()},
        )
    return run, False


def _plan() -> list[tuple[str, int, int, int]]:
    """Chunks of at most CHUNK active loans of one county (by loan id): (county, first, last, n)."""
    out: list[tuple[str, int, int, int]] = []
    by_county: dict[str, list[int]] = {}  # county → [first, last, n] of the chunk being filled
    rows = Servicing.objects.filter(active=True).annotate(c=Substr("village_code", 1, 6)).order_by("loan_id")
    for county, pk in rows.values_list("c", "loan_id").iterator(chunk_size=50_000):
        cur = by_county.get(county)
        if cur is None or cur[2] == CHUNK:
            if cur is not None:
                out.append((county, cur[0], cur[1], cur[2]))
            cur = by_county[county] = [pk, pk, 0]
        cur[1], cur[2] = pk, cur[2] + 1
    out += [(county, first, last, n) for county, (first, last, n) in by_county.items()]
    return sorted(out, key=lambda c: (c[0], c[1]))


def _balances(run: CobRun) -> None:
    """Credit balances applied to what is due today or overdue; from maturity, the deposit too
    (R-REP-1). Each is a repayment with its own idempotency key: safe to repeat."""
    on = run.date
    due = Installment.objects.filter(due_date__lte=on).filter(accrual.LATE)
    candidates = (
        Loan.objects.filter(state=Loan.State.ACTIVE, start__lt=on)
        .filter(Q(credit_balance__gt=0) | Q(deposit_held__gt=0, maturity__lte=on))
        .filter(pk__in=due.values("loan_id"))
    )
    for pk in candidates.order_by("pk").values_list("pk", flat=True):
        for source, tag in (("2251", "cr"), ("2011", "dep")):
            loan = Loan.objects.select_related("servicing").get(pk=pk)
            held = loan.credit_balance if source == "2251" else loan.deposit_held
            if loan.state != Loan.State.ACTIVE or (source == "2011" and loan.maturity > on):
                continue
            owing = sum(
                o.unpaid
                for o in owed_of(loan.installments.filter(due_date__lte=on), loan.servicing, run.previous)
            )
            amount = min(held, owing)
            if amount > 0:
                key = f"cob-{tag}-{pk}-{on:%Y%m%d}"
                once(
                    key,
                    lambda r, lid=pk: r.loan_id == lid,
                    lambda lo=loan, a=amount, k=key, s=source: repayment_apply(
                        system_user(), lo, a, k, on, s, within_run=True
                    ),
                    model=Repayment,
                )


def _chunk_in_worker(pk: int) -> dict:
    if os.environ.get(KILL_CHUNK_ENV):  # tests: a worker dies on the chunk of this number
        if (
            str(CobChunk.objects.filter(pk=pk).values_list("seq", flat=True).first())
            == os.environ[KILL_CHUNK_ENV]
        ):
            os.kill(os.getpid(), signal.SIGKILL)
    try:
        return chunk_run(pk)
    finally:
        connections.close_all()


def chunk_run(pk: int) -> dict:
    """One chunk's day in one transaction with its ``done`` mark (see the module). Money is
    not posted while a run is open (:func:`fupin.cob.day.open_day`), so what it reads
    does not move under it."""
    with transaction.atomic():
        chunk = CobChunk.objects.select_for_update().select_related("run").get(pk=pk)
        if chunk.done:
            return chunk.stats
        on, prev = chunk.run.date, chunk.run.previous
        _, rules = programme_rules(chunk.county + "000000", on)  # the county division of the chunk
        _, default_days = servicing_of(rules)
        lap = Laps()

        loans = Servicing.objects.filter(
            pk__gte=chunk.first, pk__lte=chunk.last, active=True, village_code__startswith=chunk.county
        )
        # interest: the receivable after the close of the previous day, roll periods ended, after
        # today — on the books for accruing loans, off balance (7011) for non-accrual ones — and
        # the interest taken upfront earned (P-GROUP, out of 2401); one query each side
        before = _standing(loans, prev)
        lap("receivable_before")
        rolled = _roll(loans, on, repeat=prev is None)
        lap("roll")
        turned, cured = _non_accrual(loans, on, non_accrual_days_of(rules))
        lap("non_accrual")
        after = _standing(loans, on)
        lap("receivable_after")
        accrued, amortised = _change(before.books, after.books), _change(before.upfront, after.upfront)
        # penalty posted up to yesterday follows a loan that turns non-accrual or is cured
        moved = _penalty_held(turned, prev)
        back = _penalty_held(cured, prev)
        off = _change(before.memo, after.memo, _change(back, moved))
        # aging (R-REP-3): loans that fell late today, and those whose arrears reach a default
        late = _fall_late(loans, chunk, on, prev)
        crossing = on - dt.timedelta(days=default_days)
        defaulted = list(
            loans.filter(late_since__lte=crossing) if prev is None else loans.filter(late_since=crossing)
        )
        lap("aging")
        penalty, memo_penalty, lines = _arrears(loans, chunk, on, prev)
        penalty = _change(moved, penalty, back)
        off = _change({}, off, memo_penalty)
        bulk.insert(CollectionItem, ("date", "village_code", "loan_id", "due", "arrears", "dpd"), lines)
        lap("penalty_and_list")
        drafts = []
        for unit in sorted(set(accrued) | set(penalty) | set(amortised) | set(off), key=_unit_order):
            a, p, m, o = (x.get(unit, 0) for x in (accrued, penalty, amortised, off))
            if not (a or p or m or o):
                continue
            drafts.append(
                Draft(
                    on,
                    f"日终计提 {on:%Y-%m-%d}",
                    unit[0],
                    f"cob:{on:%Y%m%d}:{chunk.seq}",
                    tuple(accrual_postings(interest=a, penalty=p, amortised=m, off_balance=o)),
                    institution=unit[1],
                )
            )
        entries_post(acting_user=system_user(), drafts=drafts, audit_division=chunk.county)
        lap("entries")
        households = dict(
            Loan.objects.filter(pk__in=[x for x, _ in late] + [s.loan_id for s in defaulted]).values_list(
                "pk", "household_id"
            )
        )
        CobEvent.objects.bulk_create(
            [
                CobEvent(run_id=chunk.run_id, loan_id=x, household_id=households[x], event="overdue")
                for x, _ in late
            ]
            + [
                CobEvent(
                    run_id=chunk.run_id,
                    loan_id=s.loan_id,
                    household_id=households[s.loan_id],
                    event="default",
                )
                for s in defaulted
            ]
        )
        chunk.done = True
        chunk.stats = {
            "accrued": sum(accrued.values()),
            "amortised": sum(amortised.values()),
            "off_balance": sum(off.values()),
            "non_accrual": len(turned),
            "cured": len(cured),
            "penalty": sum(penalty.values()),
            "entries": len(drafts),
            "rolled": rolled,
            "newly_late": len(late),
            "defaults": len(defaulted),
            "seconds": lap.times,
        }
        chunk.save(update_fields=["done", "stats"])
        checkpoint()
    return chunk.stats


# a village's loans at one lender (issue 25): the batch posts one entry a day for each, in that
# lender's books
Unit = tuple[str, int | None]


def _unit_order(unit: Unit) -> tuple[str, int]:
    return unit[0], unit[1] or 0


def _arrears(
    loans, chunk: CobChunk, on: dt.date, prev: dt.date | None
) -> tuple[dict[Unit, int], dict[Unit, int], list[tuple]]:
    """The day's penalty (R-REP-2) per village and lender — of accruing loans, and of non-accrual loans (off
    balance) — and the chunk's part of tomorrow's collection list
    (R-REP-5), from the few instalments that matter: those of loans in arrears, and those
    falling due today or tomorrow. Computed with the core's functions, exactly.

    Penalty: on instalments overdue with principal unpaid (on the first run ever, also on those
    paid late before the batch ran, of every loan). The list: each loan with something unpaid
    due by tomorrow — what falls due tomorrow, and what is due by today with the penalty."""
    nxt = on + dt.timedelta(days=1)
    columns = ("loan_id", "village_code", "institution", "penalty_rate", "late_since", "non_accrual")
    of = {
        pk: rest
        for pk, *rest in (loans if prev is None else loans.filter(late_since__isnull=False)).values_list(
            *columns
        )
    }
    fields = (
        "loan_id",
        "due_date",
        "principal",
        "principal_paid",
        "interest",
        "interest_paid",
        "principal_days",
        "pd_from",
        "penalty_paid",
    )
    owing = accrual.LATE | (Q(principal_days__gt=0) if prev is None else Q(pk__in=[]))
    ids = list(of)
    rows = [
        r
        for k in range(0, len(ids), 5000)
        for r in Installment.objects.filter(loan_id__in=ids[k : k + 5000], due_date__lte=nxt)
        .filter(owing)
        .values_list(*fields)
    ]
    # loans not in arrears with an instalment falling due today or tomorrow
    rows += (
        Installment.objects.filter(
            loan_id__gte=chunk.first, loan_id__lte=chunk.last, due_date__gte=on, due_date__lte=nxt
        )
        .filter(accrual.LATE)
        .exclude(loan_id__in=ids)
        .values_list(*fields)
    )
    more = {r[0] for r in rows} - set(of)
    of.update({pk: rest for pk, *rest in loans.filter(loan_id__in=more).values_list(*columns)})
    penalty: dict[Unit, int] = {}
    memo: dict[Unit, int] = {}  # of non-accrual loans: off balance
    items: dict[int, list[int]] = {}  # loan → [due tomorrow, due by today with penalty]
    for loan_id, due, p, pp, i, ip, days, since, paid in rows:
        if loan_id not in of:
            continue  # not an active loan of this chunk
        village, lender, rate, _, off = of[loan_id]
        owed = _penalty_at(days, p - pp, since, on, rate)
        if due < on and (p > pp or prev is None):
            before = _penalty_at(days, p - pp, since, prev, rate) if prev else 0
            into = memo if off else penalty
            into[village, lender] = into.get((village, lender), 0) + owed - before
        if p > pp or i > ip:
            item = items.setdefault(loan_id, [0, 0])
            item[0 if due == nxt else 1] += p - pp + i - ip + (max(0, owed - paid) if due < on else 0)
    lines = [
        (nxt, of[pk][0], pk, d, a, (on - of[pk][3]).days if of[pk][3] else 0)
        for pk, (d, a) in sorted(items.items())
    ]
    return penalty, memo, lines


def _penalty_at(days: int, unpaid: int, since: dt.date, on: dt.date, rate: int) -> int:
    return core.penalty_of(core.principal_days_at(days, unpaid, since, on), rate)


@dataclass
class Standing:
    """Per village and lender after a close: the interest receivable of accruing loans (1132) and
    of non-accrual ones (7011, off balance), and the upfront interest earned (out of 2401)."""

    books: dict[Unit, int]
    memo: dict[Unit, int]
    upfront: dict[Unit, int]


def _standing(loans, on: dt.date | None) -> Standing:
    """The chunk's :class:`Standing` after the close of ``on`` (nothing before the first close)."""
    out = Standing({}, {}, {})
    if on is None:
        return out
    rows = (
        loans.values("village_code", "institution", "non_accrual")
        .annotate(r=Sum(accrual.receivable(on)), m=Sum(accrual.amortised(on)))
        .values_list("village_code", "institution", "non_accrual", "r", "m")
    )
    for village, lender, off, r, m in rows:
        into = out.memo if off else out.books
        into[village, lender] = into.get((village, lender), 0) + int(r or 0)
        out.upfront[village, lender] = out.upfront.get((village, lender), 0) + int(m or 0)
    return out


def _change(
    before: dict[Unit, int], after: dict[Unit, int], plus: dict[Unit, int] | None = None
) -> dict[Unit, int]:
    """Per village and lender: ``after − before`` (+ ``plus``)."""
    plus = plus or {}
    return {
        v: after.get(v, 0) - before.get(v, 0) + plus.get(v, 0) for v in set(before) | set(after) | set(plus)
    }


def _non_accrual(loans, on: dt.date, days: int) -> tuple[list[int], list[int]]:
    """Loans more than ``days`` past due after the close of ``on`` turn non-accrual (issue 24 (13));
    non-accrual loans with nothing overdue any more are cured and accrue again. Returns both."""
    turned = list(
        loans.filter(non_accrual=False, late_since__lt=on - dt.timedelta(days=days)).values_list(
            "loan_id", flat=True
        )
    )
    cured = list(loans.filter(non_accrual=True, late_since__isnull=True).values_list("loan_id", flat=True))
    if turned:
        Servicing.objects.filter(loan_id__in=turned).update(non_accrual=True)
    if cured:
        Servicing.objects.filter(loan_id__in=cured).update(non_accrual=False)
    return turned, cured


def _penalty_held(ids: list[int], prev: dt.date | None) -> dict[Unit, int]:
    """Per village and lender, the penalty posted up to the close of ``prev`` and not paid, of
    these loans."""
    out: dict[Unit, int] = {}
    if not ids or prev is None:
        return out
    rows: dict[int, list[Installment]] = {}
    for i in Installment.objects.filter(loan_id__in=ids, due_date__lt=prev):
        rows.setdefault(i.loan_id, []).append(i)
    for sv in Servicing.objects.filter(loan_id__in=ids):
        held = sum(o.penalty - o.penalty_paid for o in owed_of(rows.get(sv.loan_id, []), sv, prev))
        unit = sv.village_code, sv.institution_id
        out[unit] = out.get(unit, 0) + held
    return out


def _roll(loans, on: dt.date, *, repeat: bool) -> int:
    """Move every loan whose earning instalment fell due by ``on`` to the next one that carries
    interest (:func:`fupin.core.cob.period_starts`): its unpaid
    interest joins ``interest_due``; a loan with none left points at none (cur_seq 0). Day by
    day one step is enough (no period is shorter than a day); the first run ever repeats it
    until no loan moves."""
    rolling = loans.filter(cur_seq__gt=0, cur_due__lte=on)
    nxt = Installment.objects.filter(
        loan_id=OuterRef("loan_id"), seq__gt=OuterRef("cur_seq"), interest__gt=0
    ).order_by("seq")  # the next instalment that earns anything (P-GROUP's carry none till the last)
    moved = 0
    while True:
        n = rolling.filter(Exists(nxt)).update(
            interest_due=F("interest_due") + F("cur_interest") - F("cur_paid"),
            cur_seq=F("cur_seq") + 1,
            cur_start=Subquery(nxt.values("period_start")[:1]),
            cur_due=Subquery(nxt.values("due_date")[:1]),
            cur_interest=Subquery(nxt.values("interest")[:1]),
            cur_paid=Subquery(nxt.values("interest_paid")[:1]),
        )
        moved += n
        if not (n and repeat):
            break
    moved += rolling.update(
        interest_due=F("interest_due") + F("cur_interest") - F("cur_paid"),
        cur_seq=0,
        cur_interest=0,
        cur_paid=0,
    )
    return moved


def _fall_late(loans, chunk: CobChunk, on: dt.date, prev: dt.date | None) -> list[tuple[int, dt.date]]:
    """Loans not late before that have an instalment unpaid past its due date now: arrears
    since that date. Only instalments due since the previous close can be new."""
    since = prev or dt.date.min
    firsts = dict(
        Installment.objects.filter(
            loan_id__gte=chunk.first, loan_id__lte=chunk.last, due_date__gte=since, due_date__lt=on
        )
        .filter(accrual.LATE)
        .values("loan_id")
        .annotate(first=Min("due_date"))
        .values_list("loan_id", "first")
    )
    late = sorted(
        (pk, firsts[pk])
        for pk in loans.filter(late_since__isnull=True, loan_id__in=list(firsts)).values_list(
            "loan_id", flat=True
        )
    )
    by_date: dict[dt.date, list[int]] = {}
    for pk, first in late:
        by_date.setdefault(first, []).append(pk)
    for first, ids in by_date.items():
        Servicing.objects.filter(loan_id__in=ids).update(late_since=first, ever_late=True)
    return late


def _finish(pk: int, seconds: float, phases: dict[str, float]) -> None:
    with transaction.atomic():
        run = CobRun.objects.select_for_update().get(pk=pk)
        if run.state == CobRun.State.DONE:
            return
        on = run.date
        # dynamic grades (R-RAT-4): down for a loan fallen late, to the bottom for a default,
        # up for a loan repaid in full today that was never late (not a rollover)
        repaid = Loan.objects.filter(
            state=Loan.State.CLOSED, closed_on=on, servicing__ever_late=False, rolled_into__isnull=True
        ).values_list("pk", "household_id")
        # in the loans' order, not the order the chunks happened to finish in: the same grades and
        # reasons whatever the number of processes
        events = [
            (e.household_id, e.event, f"贷款 #{e.loan_id} " + ("逾期" if e.event == "overdue" else "违约"))
            for e in run.events.order_by("loan_id", "event")
        ]
        events += [(hh, "repaid_on_time", f"贷款 #{loan} 按时还清") for loan, hh in repaid]
        lap = Laps()

        moved = grade_events(events, on=on, actor=system_user())
        lap("grades")
        nxt = on + dt.timedelta(days=1)
        agg = CollectionItem.objects.filter(date=nxt).aggregate(
            n=Count("id"), due=Sum("due"), arrears=Sum("arrears")
        )
        collection = {
            "date": str(nxt),
            "loans": agg["n"],
            "due": agg["due"] or 0,
            "arrears": agg["arrears"] or 0,
        }
        lap("collection")
        villages = village_months(on) if core.is_month_end(on) else _month_again(on)
        lap("villages")
        provisions = provisions_post(on, system_user()) if core.is_month_end(on) else None
        lap("provisions")
        stats = [c.stats for c in run.chunks.all()]
        run.summary = {
            "date": str(on),
            "loans": sum(c.loans for c in run.chunks.all()),
            "chunks": len(stats),
            **{
                k: sum(s.get(k, 0) for s in stats)
                for k in ("accrued", "penalty", "entries", "rolled", "newly_late", "defaults")
            },
            "repaid_on_time": len(repaid),
            "grade_changes": len(moved),
            "collection": collection,
            "villages": villages,
            "provisions": provisions,
            "seconds": round(seconds, 3),
            "steps": {
                k: round(sum(s.get("seconds", {}).get(k, 0) for s in stats), 3)
                for k in (stats[0].get("seconds", {}) if stats else {})
            },
        }
        run.summary["categories"] = categories(on)
        run.summary["par"] = par_buckets(on)
        lap("categories")
        _webhook_events(run, on)
        lap("webhooks")
        run.summary["finish"] = lap.times
        run.summary["phases"] = phases
        run.state, run.finished_at = CobRun.State.DONE, timezone.now()
        run.save(update_fields=["summary", "state", "finished_at"])
        audit_record(
            actor=system_user(),
            action="cob.finish",
            obj=run,
            division_code="",
            after={k: v for k, v in run.summary.items() if k not in ("categories", "steps")},
        )
    checkpoint()


def _webhook_events(run: CobRun, on: dt.date) -> None:
    """loan.overdue for each loan fallen late with this close, loan.reclassified for each whose
    days past due crossed a class floor (R-REP-3: 次级 after 90, 可疑 after 270, 损失 after 360) —
    queued in the close's transaction, once per loan and day (issue 26 (6))."""
    names = dict(CATEGORIES)
    if outbox.wanted("loan.overdue"):
        late = run.events.filter(event="overdue").values_list("loan_id", flat=True)
        for s in Servicing.objects.filter(loan_id__in=list(late)).select_related("loan"):
            outbox.enqueue(
                "loan.overdue",
                f"cob:{on:%Y%m%d}:overdue:{s.loan_id}",
                s.village_code,
                s.institution_id,
                {"loan_id": s.loan_id, "contract_no": s.loan.contract_no, "late_since": str(s.late_since)},
            )
    if outbox.wanted("loan.reclassified"):
        floors = {
            on - dt.timedelta(days=floor + 1): (floor, name) for floor, name in CATEGORY_FLOORS if floor
        }
        crossed = Servicing.objects.filter(active=True, late_since__in=list(floors)).select_related("loan")
        for s in crossed.order_by("loan_id"):
            floor, name = floors[s.late_since]
            before = category(floor)
            outbox.enqueue(
                "loan.reclassified",
                f"cob:{on:%Y%m%d}:class:{s.loan_id}:{name}",
                s.village_code,
                s.institution_id,
                {
                    "loan_id": s.loan_id,
                    "contract_no": s.loan.contract_no,
                    "days_past_due": floor + 1,
                    "from": before,
                    "from_label": names[before],
                    "to": name,
                    "to_label": names[name],
                },
            )


def categories(on: dt.date, loans=None) -> dict[str, int]:
    """Active loans by five-category class (R-REP-3) after the close of ``on``."""
    loans = Servicing.objects.filter(active=True) if loans is None else loans
    rows = (
        loans.annotate(c=accrual.category(on)).values("c").annotate(n=Count("loan_id")).values_list("c", "n")
    )
    return {c: n for c, n in rows}


def par_buckets(on: dt.date) -> dict[str, int]:
    """Active loans in arrears by PAR bucket (R-REP-3) after the close of ``on``."""
    out: dict[str, int] = {}
    for since, n in (
        Servicing.objects.filter(active=True, late_since__lt=on)
        .values_list("late_since")
        .annotate(n=Count("loan_id"))
        .values_list("late_since", "n")
    ):
        bucket = par_bucket((on - since).days)
        out[bucket] = out.get(bucket, 0) + n
    return out


def _month_again(on: dt.date) -> dict | None:
    """R-RPT-4 at the last month-end once more when a bank's file for that month came in since the
    last close (banks send a month in the days after it)."""
    end = on.replace(day=1) - dt.timedelta(days=1)
    last = CobRun.objects.filter(date__lt=on, state=CobRun.State.DONE).order_by("-date").first()
    if (
        last is None
        or last.date < end
        or not feed_selectors.sent_since(end, last.finished_at or last.started_at)
    ):
        return None
    return {"month": str(end), **village_months(end)}


def village_months(on: dt.date) -> dict:
    """R-RPT-4 at a month-end: each village's recovery on amounts due this year and whether it
    is suspended (three month-ends below 98 %; lifted at 98 % or above)."""
    figures = {
        v: core.MonthRate(int(d), int(r))
        for v, d, r in (
            Installment.objects.filter(
                due_date__gte=dt.date(on.year, 1, 1), due_date__lte=on, loan__servicing__isnull=False
            )
            .values("loan__village_code")
            .annotate(d=Sum(F("principal") + F("interest")), r=Sum(F("principal_paid") + F("interest_paid")))
            .values_list("loan__village_code", "d", "r")
        )
    }
    # the loans of the banks that keep their own core system, as their files state them (issue 25 (3))
    for v, (due, repaid) in feed_selectors.recovery(on).items():
        f = figures.get(v, core.MonthRate(0, 0))
        figures[v] = core.MonthRate(f.due + due, f.repaid + repaid)
    history: dict[str, list[VillageMonth]] = {}
    for m in VillageMonth.objects.filter(month__lt=on).order_by("month"):
        history.setdefault(m.village_code, []).append(m)
    for v, rows in history.items():
        if rows[-1].suspended and v not in figures:
            figures[v] = core.MonthRate(0, 0)
    VillageMonth.objects.filter(month=on).delete()
    out = []
    for village, f in sorted(figures.items()):
        mine = {m.month: (m.below, m.suspended) for m in history.get(village, [])}
        out.append(
            VillageMonth(
                village_code=village,
                month=on,
                due=f.due,
                repaid=f.repaid,
                below=f.below,
                suspended=core.suspended_at(on, f.below, mine),
            )
        )
    VillageMonth.objects.bulk_create(out)
    return {
        "villages": len(out),
        "below": sum(r.below for r in out),
        "suspended": sum(r.suspended for r in out),
    }

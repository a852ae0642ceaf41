"""Subsidy writes (DOMAIN §7): the S-HALF deduction at repayment, claim batches through the county's
chain (R-SUB-2) with every amount on the ledger, and new policy versions.

The entries (R-REP-6; 1221 应收财政贴息 is the receivable from government, 2261 应付农户贴息 what
is owed on to households):

* S-HALF, at an on-time repayment: Dr 1221 the subsidised half of the interest, with the
  household's cash, against the interest credited (:func:`relief`, in the repayment's entry);
* S-RATE and S-CAPPED, when the bank prepares a batch: Dr 1221 / Cr 2261 the amount claimed;
* lines struck at review (and a whole batch sent back): the claim undone — Dr 2261 / Cr 1221, or
  for S-HALF Dr 6011 / Cr 1221 (the bank bears interest it deducted and cannot claim);
* finance pays: Dr 1011 / Cr 1221 the amount confirmed;
* the bank credits the households' cards: Dr 2261 / Cr 1011, one line per household.

Claimed = approved + struck; paid = confirmed = approved; credited = paid — to the fen.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fupin import compiled
from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core import subsidy as core
from fupin.core.errors import Conflict, NotPermitted, ProblemList, ValidationFailed, reason_required
from fupin.core.ledger import Posting
from fupin.core.money import fmt
from fupin.core.products import PRESETS as PRODUCTS
from fupin.core.products import Benchmark
from fupin.divisions.models import Division
from fupin.feeds.selectors import keeps_own_books
from fupin.ledger.services import entry_post
from fupin.loans.models import Application, Installment, Loan, Repayment
from fupin.loans.ports import Relief
from fupin.loans.services import lender_for
from fupin.products import benchmarks
from fupin.ratings.models import CreditLine, GradeChange
from fupin.riskfund.models import Blacklist
from fupin.subsidies.banks import Subject, bank_subjects
from fupin.subsidies.models import Batch, Line, Policy

BLACKLISTED = "列入失信黑名单（恶意拖欠），不贴息"


def presets_install(model=Policy) -> None:
    """The preset policies (S-RATE, S-HALF, S-CAPPED) as programme data; idempotent (the migration
    installs them as literals, ``tests/test_migrations.py`` holds the two equal; this installs them
    again after a database flush)."""
    for p in core.PRESETS.values():
        model.objects.get_or_create(
            code=p.code,
            version=p.version,
            defaults=dict(
                kind=p.kind,
                name=p.name,
                effective=p.effective,
                products=list(p.products),
                rate=_dec(p.rate),
                share=_dec(p.share),
                window_start=p.window[0] if p.window else None,
                window_end=p.window[1] if p.window else None,
                max_days=p.max_days,
                cap=p.cap,
                benchmark_only=p.benchmark_only,
                settle=[list(s) for s in p.settle],
                purposes=sorted(p.purposes),
                bars_next_year=p.bars_next_year,
            ),
        )


def policy_save(
    *,
    acting_user,
    code: str,
    version: str,
    kind: str,
    name: str,
    effective: dt.date,
    products: list[str],
    rate: Fraction = Fraction(5, 100),
    share: Fraction = Fraction(1, 2),
    window: tuple[dt.date, dt.date] | None = None,
    max_days: int | None = None,
    cap: int | None = None,
    benchmark_only: bool = False,
    bars_next_year: bool = True,
) -> Policy:
    """A new version of a programme's subsidy policy (versioned programme data): loans made from
    ``effective`` on are subsidised under it; earlier loans keep the version they were made under.
    Every problem is listed at once."""

    access.require(acting_user, "subsidy.policy")
    problems = ProblemList()
    if kind not in core.KINDS:
        problems.add(f"贴息方式应为：{'、'.join(core.KINDS)}", field="kind", value=kind)
    if not (code or "").strip() or not (version or "").strip() or not (name or "").strip():
        problems.add("政策代码、版本和名称都必须填写", field="code")
    if not products or any(p not in PRODUCTS for p in products):
        problems.add(f"适用产品应从以下选择：{'、'.join(sorted(PRODUCTS))}", field="products", value=products)
    if not 0 < rate < 1 or not 0 < share <= 1:
        problems.add("贴息年率须在 0 与 1 之间，贴息比例须在 0 与 1 之间（含 1）", field="rate")
    if kind == "rate" and (window is None or window[0] > window[1]):
        problems.add("按贴息率贴息须给出贴息期（起不晚于止）", field="window")
    if cap is not None and cap <= 0:
        problems.add("每户贴息上限须大于零", field="cap")
    if max_days is not None and max_days <= 0:
        problems.add("每笔贷款贴息天数须大于零", field="max_days")
    problems.raise_if_any("贴息政策有误", code="policy_invalid")
    with transaction.atomic():
        if Policy.objects.filter(code=code.strip(), version=version.strip()).exists():
            raise Conflict(
                f"政策 {code} 的版本 {version} 已存在：政策只增加新版本，不修改旧版本", code="policy_exists"
            )
        p = Policy.objects.create(
            code=code.strip()[:16],
            version=version.strip()[:16],
            kind=kind,
            name=name.strip()[:100],
            effective=effective,
            products=sorted(set(products)),
            rate=_dec(rate),
            share=_dec(share),
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
            max_days=max_days,
            cap=cap,
            benchmark_only=benchmark_only,
            purposes=sorted(core.PRODUCTIVE),
            bars_next_year=bars_next_year,
        )
        audit_record(
            actor=acting_user,
            action="subsidy.policy",
            obj=p,
            division_code="",
            after={
                "code": p.code,
                "version": p.version,
                "kind": kind,
                "effective": str(effective),
                "products": p.products,
                "rate": str(p.rate),
                "share": str(p.share),
                "cap": cap,
            },
        )
    return p


def _dec(f: Fraction) -> Decimal:
    return (Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal("0.000001"))


def policy_for(product: str, start: dt.date, policies: Iterable[Policy] | None = None) -> Policy | None:
    """The policy a loan is subsidised under: the latest version in force on its start date
    among those naming its product (a loan keeps it for life)."""
    rows = policies if policies is not None else Policy.objects.filter(effective__lte=start)
    best = None
    for p in rows:
        if product in p.products and p.effective <= start and (best is None or p.effective > best.effective):
            best = p
    return best


class Bars:
    """Why households get no subsidy (read once for many households): blacklisted (R-RSK-4), out of
    subsidies after a default (R-SUB-1, the grade change of R-RAT-4), or — where the programme
    says so (篇2 §6) — late with a repayment in an earlier year (the batch's 逾期 grade change)."""

    def __init__(self, household_ids: Iterable[int]) -> None:
        ids = set(household_ids)
        self.blacklisted = set(
            Blacklist.objects.filter(household_id__in=ids, lifted_on__isnull=True).values_list(
                "household_id", flat=True
            )
        )
        self.barred_from = dict(
            CreditLine.objects.filter(household_id__in=ids, subsidy_barred_from__isnull=False).values_list(
                "household_id", "subsidy_barred_from"
            )
        )
        self.first_late: dict[int, dt.date] = {}
        for hh, on in (
            GradeChange.objects.filter(household_id__in=ids, event=GradeChange.Event.OVERDUE)
            .order_by("on")
            .values_list("household_id", "on")
        ):
            self.first_late.setdefault(hh, on)

    def reason(self, household_id: int, year: int, *, late_bars: bool = False) -> str:
        if household_id in self.blacklisted:
            return BLACKLISTED
        barred_from = self.barred_from.get(household_id)
        if barred_from is not None and barred_from <= year:
            return f"违约，自 {barred_from} 年起取消贴息"
        first = self.first_late.get(household_id)
        if late_bars and first is not None and first.year < year:
            return f"曾逾期还款，自 {first.year + 1} 年起不再贴息"
        return ""


def barred(household_id: int, year: int, *, late_bars: bool = False) -> str:
    """:class:`Bars` for one household: the reason it gets no subsidy in ``year``, or ""."""
    return Bars([household_id]).reason(household_id, year, late_bars=late_bars)


# --- S-HALF: deducted at the repayment --------------------------------------------------------


def relief(loan: Loan, rows: dict[int, Installment], amount: int, on: dt.date, late: bool) -> Relief | None:
    """S-HALF (篇3): when a payment on or before the due date settles the current instalment with
    half its interest left to the county, that half is deducted — the household pays the rest.
    Asked by every repayment (:mod:`fupin.loans.ports`); None when no relief applies."""
    if late:
        return None
    current = next(
        (
            i
            for i in rows.values()
            if i.due_date >= on and (i.principal_paid < i.principal or i.interest_paid < i.interest)
        ),
        None,
    )
    if current is None:
        return None
    policy = policy_for(loan.product, loan.start, compiled.rows(Policy, where={"kind": "half"}, order=()))
    if policy is None or policy.kind != "half":
        return None
    purpose = compiled.first(Application, where={"pk": loan.application_id}, fields=("purpose",), order=())
    if purpose is None or purpose.purpose not in policy.purposes:
        return None
    share = core.half_up(current.interest * policy.to_domain().share)
    fen = min(share, current.interest - current.interest_paid)
    unpaid = current.principal - current.principal_paid + current.interest - current.interest_paid
    if fen <= 0 or amount < unpaid - fen:  # (a part payment: no query needed to say no)
        return None
    if Line.objects.filter(policy=policy, loan=loan, seq=current.seq).exists() or barred(
        loan.household_id, on.year, late_bars=policy.bars_next_year
    ):
        return None
    return Relief(fen, current, lambda repayment: _relief_record(loan, policy, current, fen, on, repayment))


def _relief_record(
    loan: Loan, policy: Policy, i: Installment, fen: int, on: dt.date, repayment: Repayment
) -> None:
    Line.of_loan(
        loan,
        policy=policy,
        seq=i.seq,
        start=i.period_start,
        end=i.due_date,
        days=(i.due_date - i.period_start).days,
        basis=i.interest,
        interest=i.interest,
        amount=fen,
        on=on,
        repayment=repayment,
    ).save()


# --- the facts of a loan: its periods, paid on time or not ----------------------------------


def periods_of(
    loan: Loan, rows: list[Installment], repayments: Iterable[Repayment], cutoff: dt.date
) -> list[core.Period]:
    """The periods of a loan that are over by ``cutoff``: each instalment paid in full, with the
    day it was (from the repayments' allocations), on time when that day is not after its due
    date. A payoff (P-SEASONAL prepayment) ends the period it falls in on its day, with the
    interest computed to that day; the instalments after it never ran."""
    rows = sorted(rows, key=lambda i: i.seq)
    got: dict[int, int] = defaultdict(int)
    done: dict[int, tuple[dt.date, int]] = {}  # seq -> (paid in full on, interest paid for it)
    stop = None
    for r in sorted(repayments, key=lambda r: (r.received_on, r.pk)):
        if r.received_on > cutoff:
            break
        if r.allocation and r.allocation[0][0] == "payoff":
            interest = int(r.allocation[0][2])
            for i in rows:
                if i.seq in done:
                    continue
                if i.due_date < r.received_on:  # overdue when paid off: late, its own interest
                    done[i.seq] = (r.received_on, min(i.interest, interest))
                    interest -= done[i.seq][1]
                else:
                    done[i.seq], stop = (r.received_on, max(interest, 0)), i.seq
                    break
            break
        for line in r.allocation:
            if len(line) == 3 and line[1] != "penalty":
                got[int(line[0])] += int(line[2])
        for i in rows:
            if i.seq not in done and got[i.seq] >= i.principal + i.interest:
                done[i.seq] = (r.received_on, i.interest)
    prepaid: dict[int, list[tuple[int, dt.date, int]]] = defaultdict(list)  # seq -> (fen, on, interest)
    for r in repayments:
        if r.received_on <= cutoff and r.allocation and r.allocation[0][0] == "prepay":
            seq = next((i.seq for i in rows if i.due_date > r.received_on), rows[-1].seq)
            prepaid[seq].append((int(r.allocation[0][1]), r.received_on, int(r.allocation[0][2])))
    periods, balance = [], loan.principal
    for i in rows:
        early = prepaid.get(i.seq, [])
        balance -= sum(x for x, _, _ in early)  # what was prepaid inside the period runs to its day
        if i.seq in done:
            when, interest = done[i.seq]
            periods.append(
                core.Period(
                    i.seq,
                    i.period_start,
                    min(i.due_date, max(when, i.period_start)),
                    balance,
                    interest,
                    when <= i.due_date,
                    prepaid=tuple((x, on) for x, on, _ in early),
                    prepaid_interest=sum(x for _, _, x in early),
                )
            )
        if i.seq == stop:
            break
        balance -= i.principal
    return periods


def loan_facts(
    loan: Loan, periods: list[core.Period], lpr: Callable[[dt.date], Benchmark] = benchmarks.in_force
) -> core.LoanFacts:
    return core.LoanFacts(
        amount=loan.principal,
        rate=Fraction(loan.nominal_rate),
        term_months=loan.application.term,
        purpose=loan.application.purpose,
        periods=tuple(periods),
        benchmark=lpr(loan.start),  # the LPR in force on the contract date
    )


def late_years(rows: Iterable[Installment], periods: list[core.Period], cutoff: dt.date) -> set[int]:
    """The years in which the loan had an instalment repaid late or still unpaid past due."""
    ok = {p.seq for p in periods if p.on_time}
    paid = {p.seq for p in periods}
    return {i.due_date.year for i in rows if i.seq not in ok and (i.seq in paid or i.due_date < cutoff)}


# --- claim batches --------------------------------------------------------------------------


def _division(code: str) -> Division:
    d = Division.objects.filter(code=code).first()
    if d is None:
        raise ValidationFailed(f"区划代码“{code}”不存在", code="division")
    return d


def batch_prepare(
    *, acting_user, policy: Policy, division_code: str, cutoff: dt.date, institution: int | None = None
) -> Batch:
    """The bank prepares a claim for a division (county or township): every period of the
    policy's loans there that is over by ``cutoff`` and not yet claimed (S-CAPPED: every loan
    repaid in full), computed in :mod:`fupin.core.subsidy`; S-HALF: the deductions not yet
    claimed. Lines that earn nothing are recorded with the reason and not claimed. Each institution
    claims for its own loans (issue 25): the preparer's, or the one named
    (:func:`fupin.loans.services.lender_for`)."""
    access.require(acting_user, "subsidy.prepare", code=division_code)
    division = _division(division_code)
    lender = lender_for(acting_user, division.code, institution)
    today = timezone.localdate()
    if cutoff > today:
        raise ValidationFailed("截止日期不能晚于今天", code="cutoff")
    rule = policy.to_domain()
    if core.settled_in_batches(rule) and cutoff not in core.settlement_dates(rule, cutoff.year):
        dates = "、".join(f"{m}月{d}日" for m, d in sorted(rule.settle))
        last = core.last_settlement(rule, today)
        raise ValidationFailed(
            f"“{policy.name}”按结算日分批结算（每年 {dates}），截止日期须为结算日"
            + (f"，最近一次为 {last:%Y-%m-%d}" if last else ""),
            code="cutoff_settlement",
            details={"last": str(last) if last else None},
        )
    with transaction.atomic():
        batch = Batch.objects.create(
            policy=policy,
            division_code=division.code,
            institution=lender,
            cutoff=cutoff,
            prepared_by=acting_user,
            prepared_on=today,
        )
        if keeps_own_books(lender.pk if lender else None):
            write_lines(policy, *bank_subjects(policy, division.prefix, cutoff, lender), cutoff)
        elif policy.kind != "half":
            _compute(policy, division.prefix, cutoff, today)
        lines = Line.objects.filter(
            policy=policy,
            batch__isnull=True,
            amount__gt=0,
            on__lte=cutoff,
            village_code__startswith=division.prefix,
            institution=lender,
        )
        claimed = lines.aggregate(n=Sum("amount"))["n"] or 0
        if not claimed:
            raise Conflict("截止日期前没有可申报的贴息", code="nothing_to_claim")
        lines.update(batch=batch)
        batch.claimed = claimed
        batch.save(update_fields=["claimed"])
        if policy.kind != "half":  # S-HALF: the receivable was booked at each repayment
            _post(
                acting_user,
                batch,
                today,
                "申报贴息",
                "claim",
                [
                    Posting("1221", debit=claimed, memo="应收财政贴息"),
                    Posting("2261", credit=claimed, memo="应付农户贴息"),
                ],
            )
        audit_record(
            actor=acting_user,
            action="subsidy.prepare",
            obj=batch,
            division_code=batch.division_code,
            after={
                "policy": str(policy),
                "cutoff": str(cutoff),
                "claimed": fmt(claimed),
                "institution": lender.code if lender else None,
            },
        )
    return batch


def _compute(policy: Policy, prefix: str, cutoff: dt.date, today: dt.date) -> None:
    """Write the register lines of every period over by ``cutoff`` not yet in it."""
    loans = list(
        Loan.objects.filter(
            product__in=policy.products, village_code__startswith=prefix, start__gte=policy.effective
        )
        .exclude(state=Loan.State.CONTRACTED)
        .select_related("application")
    )
    loans = [ln for ln in loans if policy_for(ln.product, ln.start, [policy]) is not None]
    if policy.kind == "capped":  # paid after full repayment (篇8)
        rolled = set(
            Loan.objects.filter(rollover_of__in=[ln.pk for ln in loans]).values_list(
                "rollover_of_id", flat=True
            )
        )
        loans = [
            ln
            for ln in loans
            if ln.state == Loan.State.CLOSED
            and ln.closed_on
            and ln.closed_on <= cutoff
            and ln.pk not in rolled
        ]
    ids = [ln.pk for ln in loans]
    seen = set(Line.objects.filter(policy=policy, loan_id__in=ids).values_list("loan_id", "seq"))
    rows: dict[int, list[Installment]] = defaultdict(list)
    for i in Installment.objects.filter(loan_id__in=ids):
        rows[i.loan_id].append(i)
    pays: dict[int, list[Repayment]] = defaultdict(list)
    for r in Repayment.objects.filter(loan_id__in=ids, received_on__lte=cutoff):
        pays[r.loan_id].append(r)
    late: dict[int, set[int]] = defaultdict(set)
    subjects = []
    lpr = benchmarks.table()
    for ln in loans:
        periods = periods_of(ln, rows[ln.pk], pays[ln.pk], cutoff)
        late[ln.household_id] |= late_years(rows[ln.pk], periods, cutoff)
        subjects.append(
            Subject(ln.pk, ln.household_id, ln.start, ln.maturity, loan_facts(ln, periods, lpr), _of(ln))
        )
    write_lines(policy, subjects, seen, late, cutoff)


def _of(loan: Loan) -> Callable[..., Line]:
    return lambda **fields: Line.of_loan(loan, **fields)


def write_lines(
    policy: Policy,
    subjects: list[Subject],
    seen: set[tuple[object, int]],
    late: Mapping[int, set[int]],
    on: dt.date,
) -> None:
    """Write the register lines of ``subjects`` (computed by :func:`fupin.core.subsidy.loan_lines`)
    not ``seen`` yet: late repayment bars the years after it (R-SUB-1, ``late``: the years with a
    late repayment, by household) and the household cap counts what the household already had
    at any lender."""
    rule = policy.to_domain()
    bars = Bars(x.household_id for x in subjects)
    received = dict(
        Line.objects.filter(policy=policy, household_id__in={x.household_id for x in subjects})
        .values_list("household_id")
        .annotate(n=Sum("amount"))
    )
    new: list[Line] = []
    for x in sorted(subjects, key=lambda x: (x.start, x.key)):
        years = late.get(x.household_id, set())
        for line in core.loan_lines(rule, x.facts, barred=_bar(rule, bars, x, years)):
            if (x.key, line.seq) in seen:
                continue
            if line.seq and not line.reason and rule.bars_next_year and any(y < line.end.year for y in years):
                line = _nothing(line, f"曾逾期还款，自 {min(years) + 1} 年起不再贴息")
            amount, reason = line.amount, line.reason
            if x.deducted is not None and amount:
                cut = min(amount, x.deducted.get(line.seq, 0))
                amount, reason = cut, reason or (f"按银行实际扣减 {fmt(cut)} 元" if cut < amount else "")
            if amount and rule.cap is not None:
                [capped] = core.household_cap(rule.cap, received.get(x.household_id, 0), [amount])
                received[x.household_id] = received.get(x.household_id, 0) + capped
                amount, reason = capped, reason or (core.CAPPED if capped < amount else "")
            new.append(
                x.line(
                    policy=policy,
                    seq=line.seq,
                    start=line.start,
                    end=line.end,
                    days=line.days,
                    basis=line.basis,
                    interest=line.interest,
                    amount=amount,
                    reason=reason,
                    on=on,
                )
            )
    Line.objects.bulk_create(new)


def _bar(rule: core.Policy, bars: Bars, x: Subject, late: set[int]) -> str:
    reason = x.refused or bars.reason(x.household_id, x.maturity.year, late_bars=rule.bars_next_year)
    if not reason and rule.kind == "capped" and rule.bars_next_year and any(y < x.start.year for y in late):
        reason = f"曾逾期还款，自 {min(late) + 1} 年起不再贴息"
    return reason


def _nothing(line: core.Line, reason: str) -> core.Line:
    return core.Line(line.seq, line.start, line.end, line.days, line.basis, line.interest, 0, reason)


def _post(user, batch: Batch, on: dt.date, memo: str, step: str, postings: list[Posting]):
    """Post a step of the batch in its lender's books; none for a bank that keeps its own."""
    if keeps_own_books(batch.institution_id):
        return None
    return entry_post(
        acting_user=user,
        date=on,
        memo=f"{memo}（贴息申报 #{batch.pk}）",
        division_code=batch.division_code,
        institution=batch.institution_id,
        postings=postings,
        source=f"subsidy.{step}:{batch.pk}",
    )


STEPS = {
    "review": (Batch.State.PREPARED, "subsidy.review"),
    "confirm": (Batch.State.REVIEWED, "subsidy.confirm"),
    "pay": (Batch.State.CONFIRMED, "subsidy.pay"),
    "credit": (Batch.State.PAID, "subsidy.credit"),
}


def _step(acting_user, batch: Batch, step: str) -> Batch:
    """Lock the batch for ``step``: the right state, the right role in scope, and a person who
    has not acted on this batch before (maker-checker at every step)."""
    state, action = STEPS[step]
    access.require(acting_user, action, batch)
    batch = Batch.objects.select_for_update().select_related("policy").get(pk=batch.pk)
    if batch.state != state:
        raise Conflict(f"申报状态为“{batch.get_state_display()}”，不能办理此步骤", code="batch_state")
    if acting_user.pk in {
        batch.prepared_by_id,
        batch.reviewed_by_id,
        batch.confirmed_by_id,
        batch.paid_by_id,
    }:
        raise NotPermitted("同一人不能办理同一申报的两个步骤（经办与复核分离）", code="maker_checker")
    return batch


def _undo(batch: Batch, fen: int) -> list[Posting]:
    """Postings that take ``fen`` back out of the claim (struck lines, a batch sent back)."""
    if batch.policy.kind == "half":
        return [
            Posting("6011", debit=fen, memo="贴息核减，由银行承担"),
            Posting("1221", credit=fen, memo="核减应收财政贴息"),
        ]
    return [
        Posting("2261", debit=fen, memo="核减应付农户贴息"),
        Posting("1221", credit=fen, memo="核减应收财政贴息"),
    ]


def batch_review(
    *, acting_user, batch: Batch, approve: bool, strike: dict[int, str] | None = None, note: str = ""
) -> Batch:
    """The poverty office reviews: approves the batch, striking any lines with a reason each, or
    sends the whole batch back (its lines may then be claimed again)."""
    on = timezone.localdate()
    with transaction.atomic():
        batch = _step(acting_user, batch, "review")
        strike = {
            int(k): reason_required(v, "核减原因", at_least=2, at_most=100) for k, v in (strike or {}).items()
        }
        if not approve:
            note = reason_required(note, "退回理由")
            lines = Line.objects.filter(batch=batch)
            if batch.claimed:
                _post(acting_user, batch, on, "退回贴息申报", "return", _undo(batch, batch.claimed))
            lines.update(batch=None)
            batch.state = Batch.State.REJECTED
        else:
            found = {ln.pk: ln for ln in Line.objects.filter(batch=batch, pk__in=list(strike))}
            if missing := sorted(set(strike) - set(found)):
                raise ValidationFailed(
                    f"以下明细不在本申报中：{'、'.join(map(str, missing))}", code="strike_lines"
                )
            struck = sum(ln.amount for ln in found.values())
            for pk, reason in strike.items():
                Line.objects.filter(pk=pk).update(struck=reason)
            if struck:
                _post(acting_user, batch, on, "审核核减贴息", "strike", _undo(batch, struck))
            batch.approved = batch.claimed - struck
            batch.state = Batch.State.REVIEWED
        batch.reviewed_by, batch.reviewed_on, batch.note = acting_user, on, note.strip()[:200]
        batch.save()
        audit_record(
            actor=acting_user,
            action="subsidy.review",
            obj=batch,
            division_code=batch.division_code,
            after={
                "approve": approve,
                "approved": fmt(batch.approved),
                "struck": sorted(strike),
                "note": note,
            },
        )
    return batch


def batch_confirm(*, acting_user, batch: Batch) -> Batch:
    """The finance bureau confirms the approved amount."""
    on = timezone.localdate()
    with transaction.atomic():
        batch = _step(acting_user, batch, "confirm")
        batch.confirmed, batch.confirmed_by, batch.confirmed_on = batch.approved, acting_user, on
        batch.state = Batch.State.CONFIRMED
        batch.save()
        audit_record(
            actor=acting_user,
            action="subsidy.confirm",
            obj=batch,
            division_code=batch.division_code,
            after={"confirmed": fmt(batch.confirmed)},
        )
    return batch


def batch_pay(*, acting_user, batch: Batch, payment_ref: str, on: dt.date | None = None) -> Batch:
    """Finance pays the confirmed amount to the bank: Dr 1011 / Cr 1221. S-HALF batches end here."""
    ref = (payment_ref or "").strip()
    if not ref:
        raise ValidationFailed("请填写拨付凭证号", code="payment_ref")
    on = on or timezone.localdate()
    with transaction.atomic():
        batch = _step(acting_user, batch, "pay")
        if batch.confirmed:
            _post(
                acting_user,
                batch,
                on,
                "收到财政贴息资金",
                "pay",
                [
                    Posting("1011", debit=batch.confirmed, memo="财政拨付贴息"),
                    Posting("1221", credit=batch.confirmed, memo="收回应收财政贴息"),
                ],
            )
        batch.paid, batch.paid_by, batch.paid_on, batch.payment_ref = (
            batch.confirmed,
            acting_user,
            on,
            ref[:40],
        )
        batch.state = Batch.State.CLOSED if batch.policy.kind == "half" else Batch.State.PAID
        batch.save()
        audit_record(
            actor=acting_user,
            action="subsidy.pay",
            obj=batch,
            division_code=batch.division_code,
            after={"paid": fmt(batch.paid), "ref": batch.payment_ref, "on": str(on)},
        )
    return batch


def batch_credit(*, acting_user, batch: Batch) -> Batch:
    """The bank credits every household of the batch (lines not struck) to its card: one posting
    per household, Dr 2261 / Cr 1011; the credited total equals the amount paid."""
    on = timezone.localdate()
    with transaction.atomic():
        batch = _step(acting_user, batch, "credit")
        per: dict[int, int] = defaultdict(int)
        for hh, fen in Line.objects.filter(batch=batch, struck="").values_list("household_id", "amount"):
            per[hh] += fen
        total = sum(per.values())
        if total != batch.paid:
            raise Conflict(
                f"入账合计 {fmt(total)} 元与拨付金额 {fmt(batch.paid)} 元不符", code="credit_mismatch"
            )
        if total:
            postings = [Posting("2261", debit=total, memo="贴息入账到户")]
            postings += [
                Posting("1011", credit=fen, memo=f"贴息转入农户 {hh} 账户")
                for hh, fen in sorted(per.items())
                if fen
            ]
            _post(acting_user, batch, on, "贴息入账到户", "credit", postings)
        Line.objects.filter(batch=batch, struck="").update(credited_on=on)
        batch.credited, batch.credited_by, batch.credited_on = total, acting_user, on
        batch.state = Batch.State.CREDITED
        batch.save()
        audit_record(
            actor=acting_user,
            action="subsidy.credit",
            obj=batch,
            division_code=batch.division_code,
            after={"credited": fmt(total), "households": len(per)},
        )
    return batch

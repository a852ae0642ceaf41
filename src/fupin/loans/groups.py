"""Joint-liability groups (R-GRP-1, 2) and lead-household agreements (R-GRP-3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core import origination as core
from fupin.core.errors import Conflict, ValidationFailed, reason_required
from fupin.core.money import fmt
from fupin.households.models import Household
from fupin.loans.models import ActualUse, Application, Group, GroupMember, Installment, LeadAgreement, Loan
from fupin.ratings.rules import group_rules_of
from fupin.ratings.selectors import eligibility, programme_rules

DRIVEN_STATUSES = ("poor", "low_income", "monitored")  # "registered poor" under the programme


def households_in_arrears(ids: Sequence[int], on: dt.date) -> set[int]:
    """Households with an active loan whose instalment was due before ``on`` and is not fully
    paid (R-GRP-1: such a member blocks new loans for the whole group)."""
    unpaid = Q(principal_paid__lt=F("principal")) | Q(interest_paid__lt=F("interest"))
    return set(
        Installment.objects.filter(
            unpaid, loan__household_id__in=list(ids), loan__state=Loan.State.ACTIVE, due_date__lt=on
        ).values_list("loan__household_id", flat=True)
    )


def active_group(household: Household) -> Group | None:
    m = GroupMember.objects.filter(household=household, left_on__isnull=True).select_related("group").first()
    return m.group if m else None


def group_create(
    *, acting_user, village_code: str, name: str, leader: Household, households: Sequence[Household]
) -> Group:
    """Form a group; every reason it cannot be formed is listed (R-GRP-1)."""

    access.require(acting_user, "group.manage", code=village_code)
    on = timezone.localdate()
    members = []
    for h in households:
        members.append((h.pk, h.village_id, [f.message for f in eligibility(h, on).failures]))

    rules = group_rules_of(programme_rules(village_code[:6] + "000000", on)[1])
    problems = core.group_problems(village=village_code, leader=leader.pk, members=members, rules=rules)
    taken = set(
        GroupMember.objects.filter(household__in=households, left_on__isnull=True).values_list(
            "household_id", flat=True
        )
    )
    problems += [f"农户 {h} 已在另一个联保小组" for h in sorted(taken)]
    if problems:
        raise ValidationFailed(
            "联保小组不能成立", code="group_invalid", details=[{"message": p} for p in problems]
        )
    with transaction.atomic():
        g = Group.objects.create(
            village_id=village_code,
            name=name.strip()[:60] or f"联保小组（{leader.registry_no}）",
            leader=leader,
            created_by=acting_user,
        )
        GroupMember.objects.bulk_create([GroupMember(group=g, household=h, joined_on=on) for h in households])
        audit_record(
            actor=acting_user,
            action="group.create",
            obj=g,
            division_code=village_code,
            after={"leader": leader.pk, "members": [h.pk for h in households]},
        )
    return g


def group_blockers(household: Household, on: dt.date, amount: int = 0) -> list[str]:
    """Why a group loan of ``amount`` cannot be made to ``household`` now (R-GRP-1): not in a
    group, any member of its group in arrears — joint liability blocks the whole group — or the
    group's ceiling (P-GROUP) passed by what its members have borrowed and are applying for."""
    g = active_group(household)
    if g is None:
        return ["五户联保贷款须先加入本村的联保小组"]
    ids = list(g.members.filter(left_on__isnull=True).values_list("household_id", flat=True))
    late = households_in_arrears(ids, on)
    out = [f"联保小组“{g.name}”中有 {len(late)} 户逾期未还，全组暂停新贷款"] if late else []
    rules = group_rules_of(programme_rules(g.village_id[:6] + "000000", on)[1])
    over = core.group_ceiling_problem(rules, g.name, group_committed(ids), amount) if amount else None
    return [*out, over] if over else out


def group_committed(households: Sequence[int]) -> int:
    """What members owe on group loans not yet settled and apply for in group applications on the
    way, in fen (the principal lent, whatever has been repaid of it: the ceiling is the cycle's)."""
    lent = Loan.objects.filter(
        household_id__in=households, product="group", state__in=(Loan.State.CONTRACTED, Loan.State.ACTIVE)
    ).aggregate(s=Sum("principal"))["s"]
    asked = (
        Application.objects.filter(household_id__in=households, product="group", loan__isnull=True)
        .exclude(state="rejected")
        .aggregate(s=Sum("amount"))["s"]
    )
    return (lent or 0) + (asked or 0)


def actual_use_record(*, acting_user, loan: Loan, user_household: Household, amount: int) -> ActualUse:
    """Record who actually used a loan's money (R-GRP-2)."""
    access.require(acting_user, "loan.contract", loan)
    if amount <= 0 or amount > loan.principal:
        raise ValidationFailed(f"金额应在 0–{fmt(loan.principal)} 元之间", code="use_amount")
    recorded = ActualUse.objects.filter(loan=loan).aggregate(s=Sum("amount"))["s"] or 0
    if recorded + amount > loan.principal:
        raise Conflict(
            f"已登记 {fmt(recorded)} 元，合计不能超过贷款本金 {fmt(loan.principal)} 元", code="use_over"
        )
    with transaction.atomic():
        u = ActualUse.objects.create(
            loan=loan,
            user_household=user_household,
            amount=amount,
            recorded_by=acting_user,
            village_code=loan.village_code,
        )
        audit_record(
            actor=acting_user,
            action="loan.actual_use",
            obj=u,
            division_code=loan.village_code,
            after={"loan": loan.pk, "user": user_household.pk, "amount": fmt(amount)},
        )
    return u


def concentrated_groups(reader, *, threshold=None) -> list[dict]:
    """Groups whose money was mostly used by one or two households (R-GRP-2), with the share.
    A loan without recorded use counts as used by its borrower. Three queries in all."""
    from fractions import Fraction

    threshold = threshold if threshold is not None else Fraction(4, 5)
    groups = list(
        access.visible(reader, Group, "application.view")
        .filter(dissolved_on__isnull=True)
        .select_related("village", "leader")[:2000]
    )
    member_of = dict(GroupMember.objects.filter(group__in=groups).values_list("household_id", "group_id"))
    lent: dict[int, dict[int, int]] = {}
    for hid, principal in Loan.objects.filter(household_id__in=list(member_of), product="group").values_list(
        "household_id", "principal"
    ):
        lent.setdefault(member_of[hid], {}).setdefault(hid, 0)
        lent[member_of[hid]][hid] += principal
    used: dict[int, list[tuple[int, int]]] = {}
    recorded: dict[int, int] = {}
    for borrower, user, amount in ActualUse.objects.filter(
        loan__household_id__in=list(member_of), loan__product="group"
    ).values_list("loan__household_id", "user_household_id", "amount"):
        used.setdefault(member_of[borrower], []).append((user, amount))
        recorded[borrower] = recorded.get(borrower, 0) + amount
    out = []
    for g in groups:
        by_borrower = lent.get(g.pk, {})
        uses = used.get(g.pk, []) + [
            (h, a - recorded.get(h, 0)) for h, a in by_borrower.items() if a > recorded.get(h, 0)
        ]
        share = core.concentration(uses)
        if uses and share >= threshold and len(by_borrower) > 2:
            out.append(
                {
                    "group": g,
                    "share": share,
                    "percent": round(float(share) * 100, 1),
                    "lent": sum(by_borrower.values()),
                }
            )
    return out


def lead_agreement_sign(
    *, acting_user, lead: Household, driven: Household, terms: str, signed_on: dt.date | None = None
) -> LeadAgreement:
    """A lead household's agreement with one driven household: registered poor, same county
    (R-GRP-3)."""
    access.require(acting_user, "group.manage", lead)
    problems = []
    if driven.status not in DRIVEN_STATUSES:
        problems.append("被带动户必须是建档立卡贫困户、低收入户或监测户")
    if driven.village_id[:6] != lead.village_id[:6]:
        problems.append("被带动户必须与带动主体在同一个县")
    if driven.pk == lead.pk:
        problems.append("带动主体不能带动自己")
    if problems:
        raise ValidationFailed(
            "带动协议不能签订", code="agreement_invalid", details=[{"message": p} for p in problems]
        )
    terms = reason_required(terms, "带动方式与收益")
    with transaction.atomic():
        if LeadAgreement.objects.filter(lead=lead, driven=driven, ended_on__isnull=True).exists():
            raise Conflict("已有有效的带动协议", code="agreement_exists")
        a = LeadAgreement.objects.create(
            lead=lead,
            driven=driven,
            village_code=lead.village_id,
            terms=terms,
            signed_on=signed_on or timezone.localdate(),
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="lead.agreement",
            obj=a,
            division_code=lead.village_id,
            after={"lead": lead.pk, "driven": driven.pk, "terms": terms},
        )
    return a


def lead_blockers(household: Household, amount: int, ceiling: int, per_household: int) -> list[str]:
    driven = LeadAgreement.objects.filter(lead=household, ended_on__isnull=True).count()
    return core.lead_problems(amount=amount, per_household=per_household, driven=driven, ceiling=ceiling)


# --- group meeting collection (P-GROUP: one sheet per group per week) --------------------------

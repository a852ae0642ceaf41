"""Origination writes (DOMAIN §5). Each step checks the actor's role for that step and
jurisdiction, moves the state machine of :mod:`fupin.core.origination`, records a
:class:`ReviewStep` and an audit entry in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.cob.day import village_suspended
from fupin.core import origination as core
from fupin.core.errors import Conflict, NotPermitted, Problem, ValidationFailed, reason_required
from fupin.core.money import fmt, to_fen
from fupin.core.products import Preset, preset
from fupin.divisions.models import Institution
from fupin.divisions.selectors import lender_choices, lenders_of
from fupin.households.models import Household
from fupin.loans.groups import group_blockers, lead_blockers
from fupin.loans.models import Application, Loan, Notice, Objection, Quota, ReviewStep
from fupin.ratings.models import CreditLine
from fupin.ratings.rules import bands_of, notice_days_of
from fupin.ratings.selectors import eligibility, programme_rules

COMMITTED = ("approved", "contracted", "disbursed")  # states that use a township's quota


def today() -> dt.date:
    return timezone.localdate()


def _role_for(user, roles: Iterable[str], code: str, institution: int | None = None) -> str:
    """The first of ``roles`` the user holds over division ``code`` (a bank's at ``institution``);
    refused otherwise."""
    role = access.role_over(user, roles, code, institution)
    if role is not None:
        return role
    raise NotPermitted("这一步不由您的角色办理，或该申请不在您的辖区内", code="wrong_role")


def application_check(
    *,
    acting_user,
    household: Household,
    product: str,
    amount: int,
    term: int,
    purpose: str | None = None,
    project: str | None = None,
    institution: int | None = None,
    action: str = "application.create",
) -> tuple[Institution | None, Preset, list[Problem]]:
    """Every reason an application of ``amount`` fen over ``term`` months of ``product`` would be
    refused (R-APP-1, R-ELG-4): eligibility, the credit line, the product's bounds, an open
    application or loan, the village's suspension (R-RPT-4), the lender, the group's and the lead
    household's limits. ``purpose``/``project`` None: not asked (an eligibility enquiry).
    Returns the lender, the product preset and the problems; nothing is written."""
    access.require(acting_user, action, household)
    lender = lender_for(acting_user, household.village_id, institution)
    if lender is not None and lender.own_core:
        raise Conflict(
            f"“{lender.name}”在自有核心系统放款记账，不在本系统受理贷款申请", code="lender_books_elsewhere"
        )
    p = preset(product)
    verdict = eligibility(household, today(), lead=p.code == "lead")
    line = CreditLine.objects.filter(household=household, valid_until__gte=today()).first()
    problems = [
        x
        for x in core.application_problems(
            amount=amount,
            term=term,
            preset=p,
            credit_line=to_fen(line.amount) if line else 0,
            eligibility=[(f.rule, f.message) for f in verdict.failures],
            purpose=purpose or "",
            project=project or "",
        )
        if not (x.field == "purpose" and purpose is None or x.field == "project" and project is None)
    ]
    if Application.objects.filter(household=household).exclude(state__in=("rejected", "disbursed")).exists():
        problems.append(Problem("该户已有一笔在办的贷款申请", rule="R-APP-1"))
    unsettled = (  # at any lender of the county (issue 25)
        Loan.objects.filter(household=household, state__in=(Loan.State.CONTRACTED, Loan.State.ACTIVE))
        .select_related("institution")
        .first()
    )
    if unsettled is not None:
        at = f"{unsettled.institution}，" if unsettled.institution_id else ""
        problems.append(
            Problem(f"该户有未结清的扶贫小额信贷（{at}合同 {unsettled.contract_no}）", rule="R-ELG-2a")
        )
    suspended = village_suspended(household.village_id)
    if suspended is not None:
        problems.append(
            Problem(
                f"本村当年到期贷款回收率连续 3 个月低于 98%（{suspended.month:%Y-%m} 月末 "
                f"{float(suspended.rate or 0):.2%}），暂停新增贷款",
                rule="R-RPT-4",
            )
        )
    if lender is not None and not lender.offers(p.code):
        problems.append(Problem(f"{lender.name}不开办“{p.name}”", field="product"))  # issue 25
    if p.code == "group":
        problems += [Problem(m, rule="R-GRP-1") for m in group_blockers(household, today(), amount)]
    if p.lead is not None:
        problems += [
            Problem(m, rule="R-GRP-3")
            for m in lead_blockers(household, amount, p.lead.ceiling, p.lead.per_household)
        ]
    return lender, p, problems


def application_create(
    *,
    acting_user,
    household: Household,
    product: str,
    purpose: str,
    project: str,
    amount: int,
    term: int,
    institution: int | None = None,
) -> Application:
    """An application checked at once against eligibility, the credit line and the product —
    every failing reason listed (:func:`application_check`); nothing is saved when any fails. It
    goes to ``institution`` (issue 25), which must serve the village; a bank's officer applies to
    their own; with none named, to the village's nearest lender (:func:`lender_for`)."""
    lender, p, problems = application_check(
        acting_user=acting_user,
        household=household,
        product=product,
        amount=amount,
        term=term,
        purpose=purpose,
        project=project,
        institution=institution,
    )
    if problems:
        raise ValidationFailed(
            "申请不符合条件", code="application_refused", details=[p.as_dict() for p in problems]
        )
    with transaction.atomic():
        app = Application.objects.create(
            household=household,
            village_code=household.village_id,
            institution=lender,
            product=p.code,
            product_version=p.version,
            purpose=purpose,
            project=project.strip()[:300],
            amount=amount,
            term=term,
            lead=p.code == "lead",
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="application.create",
            obj=app,
            division_code=app.village_code,
            after={
                "household": household.pk,
                "product": p.code,
                "amount": fmt(amount),
                "term": term,
                "purpose": purpose,
                "institution": lender.code if lender else None,
            },
        )
    return app


def lender_for(user, village: str, named: int | None = None) -> Institution | None:
    """The lending institution an application in ``village`` goes to (issue 25): the one named,
    which must serve the village and, for a bank's staff, be their own; else the first of
    :func:`lender_choices`. None only in a county with no institution at all."""
    choices = lender_choices(user, village)
    if named is None:  # a bank in its own core system is nobody's default (issue 25 (3))
        return next((i for i in choices if not i.own_core), choices[0] if choices else None)
    chosen = next((i for i in choices if i.pk == named), None)
    if chosen is None:
        if any(i.pk == named for i in lenders_of(village)):
            raise NotPermitted("只能向本机构申请贷款", code="wrong_institution")
        raise ValidationFailed("所选贷款机构在本村没有服务网点", code="institution_not_serving")
    return chosen


def _step(app: Application, actor, role: str, action: str, approve: bool, reason: str) -> Application:
    before = app.state
    app.state = core.advance(before, action if approve else "reject")
    if not approve:
        app.rejected_reason = reason.strip()[:300]
        app.decided_at = timezone.now()
    app.save()
    ReviewStep.objects.create(
        application=app,
        action=action,
        actor=actor,
        role=role,
        approve=approve,
        reason=reason.strip()[:300],
        from_state=before,
        to_state=app.state,
    )
    audit_record(
        actor=actor,
        action=f"application.{action}",
        obj=app,
        division_code=app.village_code,
        before={"state": before},
        after={"state": app.state, "approve": approve, "reason": reason.strip()[:300]},
    )
    return app


def application_review(
    *, acting_user, application: Application, approve: bool, reason: str = ""
) -> Application:
    """Take the step the application is waiting for (R-APP-2, R-APP-3), or reject it with
    reasons. The notice is published per village (:func:`notice_publish`)."""
    access.require(acting_user, "application.review", application)
    if not approve:
        reason = reason_required(reason, "否决原因")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        code, state = app.village_code, app.state
        if state == "submitted":
            role = _role_for(acting_user, ("village_cadre", "loan_officer"), code, app.institution_id)
            if not approve:
                return _step(app, acting_user, role, "village_review", False, reason)
            half = "village_by" if role == "village_cadre" else "bank_by"
            if getattr(app, f"{half}_id"):
                raise Conflict("联合审查中您这一方已经签署，等待另一方", code="already_signed")
            _one_step_each(app, acting_user)
            setattr(app, half, acting_user)
            app.save(update_fields=[half])
            ReviewStep.objects.create(
                application=app,
                action="village_review",
                actor=acting_user,
                role=role,
                approve=True,
                reason=reason.strip()[:300],
                from_state=state,
                to_state=state,
            )
            audit_record(
                actor=acting_user,
                action="application.village_review",
                obj=app,
                division_code=code,
                after={"half": half},
            )
            if app.village_by_id and app.bank_by_id:
                app.state = core.advance(state, "village_review")
                app.save(update_fields=["state"])
            return app
        if state == "village_reviewed":
            role = _role_for(acting_user, ("township_cadre",), code, app.institution_id)
            _one_step_each(app, acting_user)
            return _step(app, acting_user, role, "township_review", approve, reason)
        if state == "in_notice":
            role = _role_for(acting_user, ("poverty_office",), code, app.institution_id)
            _one_step_each(app, acting_user)
            if approve:
                _notice_over(app)
            return _step(app, acting_user, role, "county_approve", approve, reason)
        if state == "county_approved":
            role = _role_for(
                acting_user,
                core.deciders(app.amount, bands_for(code, app.institution)),
                code,
                app.institution_id,
            )
            problem = core.maker_checker_problem(app.created_by_id, acting_user.pk)
            if problem:
                raise NotPermitted(problem, code="maker_checker")
            _one_step_each(app, acting_user)
            if approve:
                quota_check(app)
            app.decided_at = timezone.now()
            return _step(app, acting_user, role, "bank_approve", approve, reason)
        if state == "township_reviewed":
            raise Conflict("乡镇审核后须先在村务公开栏公示（由村干部发布公示）", code="step_out_of_order")
        raise Conflict(f"当前状态为“{core.STATES.get(state, state)}”，不能审批", code="step_out_of_order")


def _one_step_each(app: Application, actor) -> None:
    """Maker ≠ checker across the whole chain (R-APP-3): whoever took one review or approval step
    of an application — either half of the joint review included — takes no other."""
    acted = set(
        ReviewStep.objects.filter(application=app).exclude(action="notice").values_list("actor_id", flat=True)
    )
    if actor.pk in acted:
        raise NotPermitted(
            "同一人不能办理同一申请的两个审查或审批环节（经办与复核分离）", code="maker_checker"
        )


def county_bands(county_code: str) -> list:
    """The approval bands of the county's rules in force today, as the rules state them (yuan)."""
    return list(programme_rules(county_code[:6] + "000000", today())[1]["approval_bands"])


def bands_for(village_code: str, institution: Institution | None = None) -> tuple[core.Band, ...]:
    """The approval bands (R-APP-3, configurable) of a loan of ``institution`` in the village: the
    institution's own when it has set them (issue 25), else those of the county's rules in force."""
    if institution is not None and institution.approval_bands:
        return bands_of({"approval_bands": institution.approval_bands})
    return bands_of(programme_rules(village_code[:6] + "000000", today())[1])


def _notice_over(app: Application) -> None:
    if app.notice is None or today() <= app.notice.end:
        end = app.notice.end if app.notice else None
        raise Conflict(
            f"公示期未满（至 {end:%Y-%m-%d} 止），不能审批" if end else "尚未公示", code="notice_running"
        )
    if app.objections.filter(resolved_at__isnull=True).exists():
        raise Conflict("有未处理的异议，处理后才能审批", code="objection_open")


def quota_usage(township: str, year: int, institution: int | None = None) -> dict:
    """What a township has used of its yearly quota — of one institution's, if given: amount,
    lead amount (fen) and households."""
    return quotas_used([township], year, institution).get(
        township[:9] + "000", {"amount": 0, "lead": 0, "households": 0}
    )


def quotas_used(townships: Iterable[str], year: int, institution: int | None = None) -> dict[str, dict]:
    """:func:`quota_usage` of many townships in one query (the quota page, R-APP-4)."""

    prefixes = [t[:9] for t in townships]
    rows = (
        Application.objects.filter(state__in=COMMITTED, decided_at__year=year)
        .filter(Q() if institution is None else Q(institution=institution))
        .annotate(town=Substr("village_code", 1, 9))
        .filter(town__in=prefixes)
        .values("town")
        .annotate(
            total=Sum("amount"),
            lead_total=Sum("amount", filter=Q(lead=True)),
            n=Count("household", distinct=True),
        )
        .order_by()
    )
    return {
        r["town"] + "000": {
            "amount": r["total"] or 0,
            "lead": r["lead_total"] or 0,
            "households": r["n"] or 0,
        }
        for r in rows
    }


def quota_check(app: Application, *, counting_self: bool = False) -> None:
    """Refuse ``app`` when it does not fit its township's quotas this year (R-APP-4): the one its
    lender was given there and the one for every lender (issue 25), whichever are set — none set:
    the county has not limited the township; ``counting_self``: the application already counts in
    the usage (at disbursement)."""
    township = app.village_code[:9] + "000"
    given = Quota.objects.filter(township_id=township, year=today().year).filter(
        Q(institution=None) | Q(institution=app.institution_id)
    )
    for q in given.order_by("institution_id"):
        _within_quota(app, q, quota_usage(township, today().year, q.institution_id), counting_self)


def _within_quota(app: Application, q: Quota, used: dict, counting_self: bool) -> None:
    if counting_self:
        used["amount"] -= app.amount
        used["lead"] -= app.amount if app.lead else 0
    problems = core.quota_problems(
        core.Quota(q.amount, q.households, deadline=q.deadline, lead_amount=q.lead_amount),
        used_amount=used["amount"],
        used_households=used["households"],
        used_lead=used["lead"],
        amount=app.amount,
        lead=app.lead,
        new_household=not Application.objects.filter(
            household_id=app.household_id, state__in=COMMITTED, decided_at__year=today().year
        ).exists(),
        on=today(),
    )
    if problems:
        whose = f"（{q.institution}）" if q.institution_id else ""
        raise Conflict(f"乡镇年度额度{whose}：" + "；".join(problems), code="quota_exceeded")


def notice_publish(*, acting_user, village_code: str, applications: Iterable[Application]) -> Notice:
    """Post the township-reviewed applications of a village on its notice board (R-APP-2). The
    notice starts on the business day it is published and runs the programme's configured length
    (``notice_days``, 7 by default): nobody can date it back or shorten it."""
    access.require(acting_user, "notice.publish", code=village_code)
    start = today()
    days = notice_days(village_code)
    with transaction.atomic():
        apps = list(
            Application.objects.select_for_update().filter(
                pk__in=[a.pk for a in applications], village_code=village_code
            )
        )
        if not apps:
            raise ValidationFailed("请选择本村待公示的申请", code="notice_empty")
        wrong = [a.pk for a in apps if a.state != "township_reviewed"]
        if wrong:
            raise Conflict(
                f"申请 {'、'.join(map(str, wrong))} 尚未通过乡镇审核，不能公示", code="step_out_of_order"
            )
        notice = Notice.objects.create(
            village_id=village_code,
            start=start,
            end=core.notice_end(start, days),
            days=days,
            created_by=acting_user,
        )
        for a in apps:
            a.notice = notice
            _step(a, acting_user, "village_cadre", "notice", True, f"公示 {start:%Y-%m-%d} 起 {days} 天")
        audit_record(
            actor=acting_user,
            action="notice.publish",
            obj=notice,
            division_code=village_code,
            after={"applications": [a.pk for a in apps], "start": str(start), "days": days},
        )
    return notice


def notice_days(village_code: str) -> int:
    """How long a notice published today in this village runs (the county's programme rules)."""

    return notice_days_of(programme_rules(village_code[:6] + "000000", today())[1])


def roster_approve(*, acting_user, notice: Notice) -> list[Application]:
    """The county approves a village's roster after its notice (R-APP-2): refused while the
    notice runs or while an objection to any application on it is open (each must be resolved
    first: upheld, the application is rejected; dismissed, it goes on). Every application of
    the notice still in notice is approved."""
    access.require(acting_user, "roster.approve", notice)
    if today() <= notice.end:
        raise Conflict(f"公示期未满（至 {notice.end:%Y-%m-%d} 止），不能审批名单", code="notice_running")
    waiting = list(notice.applications.filter(state="in_notice").order_by("id"))
    open_ = sorted(
        {
            o.application_id
            for o in Objection.objects.filter(application__in=waiting, resolved_at__isnull=True)
        }
    )
    if open_:
        raise Conflict(
            f"申请 {'、'.join(f'#{pk}' for pk in open_)} 有尚未处理的异议：请先处理异议，再审批名单",
            code="objection_open",
            details={"applications": open_},
        )
    with transaction.atomic():
        approved = [
            application_review(
                acting_user=acting_user, application=app, approve=True, reason=f"审批公示名单 #{notice.pk}"
            )
            for app in waiting
        ]
        notice.approved_by, notice.approved_at = acting_user, timezone.now()
        notice.save(update_fields=["approved_by", "approved_at"])
        audit_record(
            actor=acting_user,
            action="roster.approve",
            obj=notice,
            division_code=notice.village_id,
            after={"approved": [a.pk for a in approved]},
        )
    return approved


def objection_file(*, acting_user, application: Application, text: str) -> Objection:
    access.require(acting_user, "objection.file", application)
    application = Application.objects.get(pk=application.pk)
    if application.state != "in_notice":
        raise Conflict("只能对公示中的申请提出异议", code="not_in_notice")
    if len(text.strip()) < 4:
        raise ValidationFailed("请写明异议内容（至少 4 个字）", code="objection_text")
    with transaction.atomic():
        o = Objection.objects.create(
            application=application,
            village_code=application.village_code,
            text=text.strip()[:500],
            filed_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="objection.file",
            obj=o,
            division_code=o.village_code,
            after={"application": application.pk, "text": o.text},
        )
    return o


def objection_resolve(*, acting_user, objection: Objection, upheld: bool, decision: str) -> Objection:
    """A recorded decision on an objection; an upheld objection rejects the application."""
    access.require(acting_user, "objection.resolve", objection)
    if objection.resolved_at:
        raise Conflict("该异议已处理", code="objection_resolved")
    decision = reason_required(decision, "处理决定")
    with transaction.atomic():
        objection.resolved_by, objection.resolved_at = acting_user, timezone.now()
        objection.upheld, objection.decision = upheld, decision.strip()[:300]
        objection.save()
        audit_record(
            actor=acting_user,
            action="objection.resolve",
            obj=objection,
            division_code=objection.village_code,
            after={"upheld": upheld, "decision": objection.decision},
        )
        if upheld:
            app = Application.objects.select_for_update().get(pk=objection.application_id)
            _step(
                app, acting_user, "poverty_office", "county_approve", False, f"异议成立：{objection.decision}"
            )
    return objection


def quota_set(
    *,
    acting_user,
    township_code: str,
    year: int,
    amount: int | None,
    households: int | None,
    deadline: dt.date | None,
    lead_amount: int | None = None,
    institution: int | None = None,
) -> Quota:
    """A township's yearly quota (R-APP-4) — for one lending institution, or for all of them
    together (issue 25); ``lead_amount``: the separate lead-household quota, at most 25 % of the
    township's."""
    access.require(acting_user, "quota.manage", code=township_code)
    if institution is not None and not Institution.objects.filter(pk=institution).exists():
        raise ValidationFailed("贷款机构不存在", code="institution")
    if any(x is not None and x <= 0 for x in (amount, households, lead_amount)):
        raise ValidationFailed("额度和户数指标应为正数；不设上限时留空", code="quota_invalid")
    if lead_amount is not None and amount is not None and lead_amount * 4 > amount:
        raise ValidationFailed("带动主体额度不得超过乡镇额度的 25%", code="quota_lead")
    with transaction.atomic():
        q, _ = Quota.objects.update_or_create(
            township_id=township_code,
            year=year,
            institution_id=institution,
            defaults={
                "amount": amount,
                "households": households,
                "deadline": deadline,
                "lead_amount": lead_amount,
                "set_by": acting_user,
            },
        )
        audit_record(
            actor=acting_user,
            action="quota.set",
            obj=q,
            division_code=township_code,
            after={
                "year": year,
                "institution": institution,
                "amount": fmt(amount) if amount else None,
                "households": households,
                "deadline": str(deadline) if deadline else None,
            },
        )
    return q

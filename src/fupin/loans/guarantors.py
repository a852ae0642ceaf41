"""Guarantors (保证人, issue 24 (11)): P-SEASONAL is "1+1" — the borrower and one guarantor (篇1).

A guarantor is registered on the application before its contract, with the day they signed their
consent, and only if :func:`fupin.core.origination.guarantor_problems` finds nothing: of age, not of
the borrower's household, no loans of their own household in default or written off, no defaulter
record (R-RSK-4), fewer guarantees running than the county's ``guarantee_limit``. A product that
needs guarantors (:attr:`fupin.core.products.Preset.guarantors`) is not contracted without them.
The application, the public notice and the contract show them; a loan in arrears may be collected
from them (:func:`fupin.loans.repayments.repayment_post` with ``guarantor``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core import origination as core
from fupin.core.errors import Conflict, ValidationFailed
from fupin.core.idcard import age_on, mask_id, mask_phone, normalise, parse
from fupin.core.products import preset
from fupin.households.models import Person
from fupin.households.pii import vault
from fupin.loans.models import Application, Guarantor, Loan, Servicing
from fupin.ratings.models import Reputation
from fupin.ratings.rules import guarantee_limit_of, servicing_of
from fupin.ratings.selectors import programme_rules

OPEN = ("closed", "written_off")  # a guarantee ends with its loan (or a rejected application)


def guarantor_add(
    *,
    acting_user,
    application: Application,
    kind: str,
    name: str,
    id_number: str,
    phone: str = "",
    relationship: str = "",
    consent_on: dt.date | None,
) -> Guarantor:
    """Register a guarantor on ``application`` (see the module); every reason listed when refused."""
    access.require(acting_user, "application.create", application)
    today = timezone.localdate()
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写保证人姓名", code="guarantor_name")
    person = parse(id_number, today=today)
    index = vault().index(person.value)
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.state in ("contracted", "disbursed", "rejected"):
            raise Conflict("已签订合同或已否决的申请不能再登记保证人", code="guarantor_state")
        if Guarantor.objects.filter(application=app, id_index=index).exists():
            raise Conflict("该保证人已登记在这笔申请上", code="guarantor_twice")
        member = (
            Person.objects.filter(id_index=index, left_on__isnull=True).select_related("household").first()
        )
        household = member.household if member else None
        _, rules = programme_rules(app.village_code[:6] + "000000", today)
        problems = core.guarantor_problems(
            core.GuarantorFacts(
                kind=kind,
                age=age_on(person.birth_date, today),
                borrowers_household=household is not None and household.pk == app.household_id,
                bad_loans=_bad_loans(household, today, servicing_of(rules)[1]) if household else 0,
                defaulter=household is not None
                and Reputation.objects.filter(
                    household=household, kind=Reputation.Kind.DEFAULTER, withdrawn_on__isnull=True
                ).exists(),
                guaranteeing=guaranteeing(index),
                consent_on=consent_on,
                today=today,
            ),
            guarantee_limit_of(rules),
        )
        if problems:
            raise ValidationFailed(
                "保证人不符合条件：" + "；".join(problems), code="guarantor_refused", details=problems
            )
        phone = normalise(phone)
        g = Guarantor.objects.create(
            application=app,
            village_code=app.village_code,
            kind=kind,
            name=name[:64],
            id_cipher=vault().encrypt(person.value),
            id_index=index,
            id_masked=mask_id(person.value),
            phone_cipher=vault().encrypt(phone) if phone else None,
            phone_masked=mask_phone(phone) if phone else "",
            household=household,
            relationship=(relationship or "").strip()[:32],
            consent_on=consent_on,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="guarantor.add",
            obj=g,
            division_code=app.village_code,
            after={
                "application": app.pk,
                "kind": kind,
                "name": g.name,
                "id": g.id_masked,
                "consent_on": str(consent_on),
            },
        )
    return g


def guaranteeing(index: str) -> int:
    """Loans (and applications on their way) the person with this ID index guarantees now."""
    return (
        Guarantor.objects.filter(id_index=index)
        .exclude(application__state="rejected")
        .exclude(application__loan__state__in=OPEN)
        .count()
    )


def _bad_loans(household, today: dt.date, default_days: int) -> int:
    """The household's own loans written off, or active and past due beyond a default (R-RAT-4)."""
    written_off = Loan.objects.filter(household=household, state=Loan.State.WRITTEN_OFF).count()
    defaulted = Servicing.objects.filter(
        loan__household=household, active=True, late_since__lt=today - dt.timedelta(days=default_days)
    ).count()
    return written_off + defaulted


def guarantors_missing(app: Application) -> None:
    """Refuse (409) the contract of a product that needs guarantors the application lacks."""
    p = preset(app.product)
    if p.guarantors and app.guarantors.count() < p.guarantors:
        raise Conflict(
            f"产品“{p.name}”须有 {p.guarantors} 名保证人（“1+1”），请先在申请上登记保证人及其担保承诺书",
            code="guarantor_required",
        )

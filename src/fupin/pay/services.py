"""Officer pay writes: a new version of the rules (R-PAY-4)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core import officer_pay as core
from fupin.core.errors import Conflict, ValidationFailed
from fupin.pay.models import PayRules


def rules_save(*, acting_user, valid_from: dt.date, values: dict, note: str = "") -> PayRules:
    """Record the rules in force from ``valid_from`` (a month's sheet uses the version in force at
    its last day) — the acting head office's institution's (issue 25), or, set by a user of no
    institution, every lender's without rules of its own. Versions are never changed: a later date
    makes a new one."""
    access.require(acting_user, "pay.rules")
    single, lender = access.scope_lender(acting_user, "pay.rules")
    lender = lender if single else None
    try:
        rules = core.rules_from({**core.Rules().values(), **values})
    except (ValueError, KeyError, TypeError) as e:
        raise ValidationFailed(f"绩效规则有误：{e}", code="pay_rules_invalid") from None
    with transaction.atomic():
        if PayRules.objects.filter(valid_from=valid_from, institution=lender).exists():
            raise Conflict("该日期已有一版绩效规则；请用新的生效日期", code="pay_rules_exist")
        row = PayRules.objects.create(
            valid_from=valid_from,
            institution_id=lender,
            values=rules.values(),
            note=note.strip()[:200],
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="pay.rules",
            obj=row,
            division_code="",
            after={"valid_from": str(valid_from), "institution": lender, **row.values},
        )
    return row

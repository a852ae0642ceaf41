"""Registry writes and audited reads of personal data (R-REG-5)."""

from __future__ import annotations

from django.db import transaction

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.households.models import Household
from fupin.households.pii import vault


def household_reveal(*, acting_user, household: Household) -> dict[int, dict[str, str]]:
    """Unmasked ID numbers, phones and the bank account of one household, for a role that
    needs them; every reveal is written to the audit log (who, when, which household)."""
    access.require(acting_user, "pii.reveal", household)
    v = vault()
    members = list(household.members.filter(left_on__isnull=True))
    shown = {
        p.pk: {
            "id_number": v.decrypt(p.id_cipher),
            "phone": v.decrypt(p.phone_cipher) if p.phone_cipher else "",
        }
        for p in members
    }
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action="pii.reveal",
            obj=household,
            division_code=household.village_id,
            after={"members": len(members), "fields": ["证件号码", "联系电话", "银行卡号"]},
        )
    if household.bank_account_cipher:
        shown[0] = {"bank_account": v.decrypt(household.bank_account_cipher)}
    return shown


def export_rows(*, acting_user, households, unmasked: bool) -> tuple[list[str], list[list]]:
    """Rows of a household-list export (one row per household, its head's data). Unmasked
    exports need pii.reveal for every household and are audited with their size."""
    v = vault()
    headers = [
        "村代码",
        "行政村",
        "户编号",
        "户主姓名",
        "证件号码",
        "联系电话",
        "户类型",
        "人数",
        "人均纯收入",
        "重点标签",
    ]
    rows = []
    for hh in households:
        head = hh.heads[0] if getattr(hh, "heads", None) else None
        if unmasked:
            access.require(acting_user, "pii.reveal", hh)
        id_shown = (v.decrypt(head.id_cipher) if unmasked else head.id_masked) if head else ""
        phone_shown = (
            ((v.decrypt(head.phone_cipher) if head.phone_cipher else "") if unmasked else head.phone_masked)
            if head
            else ""
        )
        rows.append(
            [
                hh.village_id,
                hh.village.name,
                hh.registry_no,
                head.name if head else "",
                id_shown,
                phone_shown,
                hh.get_status_display(),
                hh.member_count,
                float(hh.income_per_capita) if hh.income_per_capita is not None else None,
                "、".join(hh.tags or []),
            ]
        )
    if unmasked:
        with transaction.atomic():
            audit_record(
                actor=acting_user,
                action="pii.export",
                object_type="households.Household",
                object_id="*",
                division_code=rows[0][0][:6].ljust(12, "0") if rows else "",
                after={"households": len(rows), "unmasked": True},
            )
    return headers, rows

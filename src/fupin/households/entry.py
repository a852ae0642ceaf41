"""The registry over JSON (issue 26 (3)): one household at a time, through the import's checks.

A household written over the API is read, grouped, matched and written exactly as a one-household
file of the template layout would be (:mod:`fupin.core.registry`, :mod:`.reconcile`): the same ID
number checks, the same one-head rule, the same jurisdiction, the same history events. Only the
fields given are compared, so a change of one field changes that field; a member not listed has
left the household (迁出), as a member missing from a file has.

Problems name the JSON field (``income_per_capita``, ``id_number``) and, for a member's field, the
member's position in ``members`` (``row``, from 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core.errors import Conflict, Problem, ValidationFailed
from fupin.core.registry import Columns, RowReader, group
from fupin.households import reconcile
from fupin.households.models import Household, Labour, Person
from fupin.households.pii import vault

MEMBER_KEYS = ("name", "id_number", "relationship", "labour", "health", "education", "phone")
HOUSEHOLD_KEYS = (
    "status",
    "status_year",
    "lifted_year",
    "income_total",
    "income_per_capita",
    "income_sources",
    "main_cause",
    "bank_name",
    "bank_account",
    "tags",
    "registered_on",
)
LABOUR_LABELS = dict(Labour.choices)  # the JSON's codes, as the template's reader knows them


class _Fields(Columns):
    """The template layout's columns, named by their JSON keys in problems."""

    def where(self, f: str) -> str:
        return f


def _cell(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "labour":
        return LABOUR_LABELS.get(value, value)
    if key == "tags":
        return "、".join(value)
    return str(value) if not isinstance(value, dt.date) else value


def stored_member(p: Person) -> dict[str, Any]:
    """A current member as the JSON gives one (ID number and phone decrypted, for the
    comparison only: nothing of them leaves this module)."""
    v = vault()
    return {
        "name": p.name,
        "id_number": v.decrypt(p.id_cipher),
        "relationship": p.relationship,
        "labour": p.labour or None,
        "health": p.health,
        "education": p.education,
        "phone": v.decrypt(p.phone_cipher) if p.phone_cipher else "",
        "_pk": p.pk,
    }


def stored_members(household: Household) -> list[dict[str, Any]]:
    return [
        stored_member(p) for p in household.members.filter(left_on__isnull=True).order_by("-is_head", "id")
    ]


def household_save(
    *,
    acting_user,
    fields: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]],
    household: Household | None = None,
    action: str = "household.save",
) -> Household:
    """Create (``household`` None) or update one household from JSON: ``fields`` are the household's
    (``village_code`` and ``registry_no`` required to create; only those given change), ``members``
    every current member. Every problem is listed (422) and nothing is written; a household that is
    somebody else's (by 户编号 or the head's ID number) is a conflict (409)."""
    access.require(acting_user, "registry.import")
    if household is not None:
        access.require(acting_user, "registry.import", household)
        fields = {"village_code": household.village_id, "registry_no": household.registry_no, **fields}
    member_keys = [k for k in MEMBER_KEYS if any(m.get(k) is not None for m in members)]
    for k in ("name", "id_number", "relationship"):
        if k not in member_keys:
            member_keys.append(k)
    household_keys = [k for k in HOUSEHOLD_KEYS if k in fields]
    keys = ["village_code", "registry_no", *member_keys, *household_keys]
    columns = _Fields("template", {k: i for i, k in enumerate(keys)}, {k: k for k in keys})
    reader = RowReader(columns, timezone.localdate())
    records, problems = [], []
    for n, m in enumerate(members, start=1):
        values = [_cell(k, fields.get(k)) for k in keys[:2]]
        values += [_cell(k, m.get(k)) for k in member_keys]
        values += [_cell(k, fields.get(k)) for k in household_keys]
        record, found = reader.read(values, n)
        problems += found
        if record is not None:
            records.append(record)
    if not members:
        problems.append(Problem("至少要有一名成员（户主）", field="members"))
    problems = _once(problems, set(keys[:2]) | set(household_keys))
    if not problems:
        grouped, problems = group(records)
    if not problems:
        villages, problems = reconcile.resolve_villages(acting_user, grouped)
    if problems:
        raise ValidationFailed(
            f"发现 {len(problems)} 处问题，未保存",
            code="household_invalid",
            details=[p.as_dict() for p in problems],
        )
    _refuse_others(grouped[0], villages, household)
    plan, problems = reconcile.plan(grouped, villages, acting_user)
    if problems:
        raise Conflict(
            problems[0].message, code="household_elsewhere", details=[p.as_dict() for p in problems]
        )
    if household is not None and (
        plan.new_households or any(hh.pk != household.pk for hh, _ in plan.changed_households)
    ):
        raise Conflict("提交的户编号与户主对应不到本户", code="household_mismatch")
    with transaction.atomic():
        reconcile.write(plan, None, acting_user)
        saved = Household.objects.get(
            county_code=villages[grouped[0].key[0]][:6], registry_no=grouped[0].key[1]
        )
        audit_record(
            actor=acting_user,
            action=action,
            obj=saved,
            division_code=saved.village_id,
            after={
                "new": bool(plan.new_households),
                "changed": sorted({f for _, ch in plan.changed_households for f in ch}),
                "members_in": len(plan.new_persons) + len(plan.moved_persons),
                "members_changed": len(plan.changed_persons),
                "members_out": len(plan.left_persons),
            },
        )
    return saved


def _once(problems: list[Problem], household_fields: set[str]) -> list[Problem]:
    """A household field's problem once, without a member's position (the reader reports it on
    every member's row, as a file repeats the field on every row)."""
    out, seen = [], set()
    for p in problems:
        if p.field in household_fields:
            if (p.field, p.message) in seen:
                continue
            seen.add((p.field, p.message))
            p.row = None
        out.append(p)
    return out


def _refuse_others(h, villages: dict, household: Household | None) -> None:
    """A new household must be new: neither its 户编号 nor its head already registered; an update
    must not take another household's 户编号."""
    code = villages[h.key[0]]
    other = Household.objects.filter(county_code=code[:6], registry_no=h.key[1]).first()
    if other is not None and (household is None or other.pk != household.pk):
        raise Conflict(f"户编号“{h.key[1]}”在本县已登记", code="household_exists")
    if household is None:
        head = Person.objects.filter(id_index=vault().index(h.head.id_number), left_on__isnull=True).first()
        if head is not None:
            raise Conflict("户主的证件号码已登记在另一户", code="household_exists")

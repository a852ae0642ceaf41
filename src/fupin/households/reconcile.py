"""Reconciling a checked registry file with what is stored, and writing the difference.

:func:`plan` decides, for every household and person of the file, whether it is new,
changed (field by field), moved between households or gone; :func:`write` applies a plan
in the caller's transaction — new rows with set-based inserts, changes with bulk updates,
and one history event per change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from fupin import bulk
from fupin.accounts import access
from fupin.core.errors import Problem
from fupin.core.idcard import mask_id, mask_phone
from fupin.core.registry import HOUSEHOLD_FIELDS, HouseholdRecord, PersonRecord
from fupin.divisions.models import Division
from fupin.households.models import Household, HouseholdEvent, ImportBatch, Person, RegistryStatus
from fupin.households.pii import vault
from fupin.households.rows import EVENTS, HOUSEHOLDS, PERSONS

CHUNK = 5000
PERSON_FIELDS = [
    "person_no",
    "ethnicity",
    "education",
    "school_status",
    "health",
    "labour",
    "labour_skill",
    "work_status",
    "work_months",
    "serious_illness_insured",
]
COMPARED_HOUSEHOLD = [f for f in HOUSEHOLD_FIELDS if f not in ("bank_account",)]
# a new member's row, in the order Rows.new_persons gives the values
PERSON_ROW = [
    "id",
    "household_id",
    "county_code",
    "village_code",
    "name",
    "id_cipher",
    "id_index",
    "id_masked",
    "birth_date",
    "sex",
    "is_head",
    "relationship",
    *PERSON_FIELDS,
    "phone_cipher",
    "phone_index",
    "phone_masked",
]
PERSON_DEFAULTS = [(f, PERSONS.defaults[PERSONS.position[f]]) for f in PERSON_FIELDS]
EVENT_ROW = ["household_id", "actor_id", "batch_id", "kind", "field", "before", "after", "person_name"]
STATUS_LABELS = dict(RegistryStatus.choices)
# field -> the Chinese name shown in a household's history (the models' verbose names)
LABELS = {
    **{f.attname: str(f.verbose_name) for f in Person._meta.concrete_fields},
    **{f.attname: str(f.verbose_name) for f in Household._meta.concrete_fields},
    "village": "行政村",
    "phone": "联系电话",
    "bank_account": "银行卡号",
    "is_head": "户主",
}


@dataclass
class Plan:
    new_households: list[tuple[HouseholdRecord, str]] = field(default_factory=list)  # (record, village code)
    changed_households: list[tuple[Household, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    new_persons: list[tuple[PersonRecord, Household | None, HouseholdRecord]] = field(default_factory=list)
    changed_persons: list[tuple[Person, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    moved_persons: list[tuple[Person, Household]] = field(default_factory=list)
    left_persons: list[Person] = field(default_factory=list)
    index_of: dict[str, str] = field(default_factory=dict)  # ID number -> blind index

    @property
    def only_new(self) -> bool:
        """Nothing but new households and their members (a first import)."""
        return not (
            self.changed_households or self.changed_persons or self.moved_persons or self.left_persons
        ) and all(target is None for _, target, _ in self.new_persons)

    @property
    def empty(self) -> bool:
        return not (
            self.new_households
            or self.changed_households
            or self.new_persons
            or self.changed_persons
            or self.moved_persons
            or self.left_persons
        )


def resolve_villages(user, households: list[HouseholdRecord]) -> tuple[dict[Any, str], list[Problem]]:
    """village_ref -> village code, for villages inside the importer's jurisdiction."""
    scope = Q() if user is None else access.scope_q(user, "registry.import", "code")
    in_scope = Division.objects.filter(scope)
    refs = {h.key[0] for h in households}
    problems: list[Problem] = []
    result: dict[Any, str] = {}
    first_row = {}
    for h in households:
        first_row.setdefault(h.key[0], h.members[0].row)
    if all(isinstance(r, str) for r in refs):
        known = set(Division.objects.filter(code__in=refs, level=5).values_list("code", flat=True))
        allowed = set(in_scope.filter(code__in=refs).values_list("code", flat=True))
        for r in sorted(refs, key=str):
            if r not in known:
                problems.append(Problem(f"村代码“{r}”不存在", row=first_row[r], field="村代码", value=str(r)))
            elif r not in allowed:
                problems.append(
                    Problem(f"村代码“{r}”不在您的辖区内", row=first_row[r], field="村代码", value=str(r))
                )
            else:
                result[r] = r
        return result, problems
    names: dict[tuple[str, str, str], list[str]] = {}
    divisions = {d.code: d for d in in_scope.filter(level__gte=3).only("code", "name", "parent_id", "level")}
    for d in divisions.values():
        if d.level != 5:
            continue
        town = divisions.get(d.parent_id or "")
        county = divisions.get(town.parent_id or "") if town else None
        names.setdefault((county.name if county else "", town.name if town else "", d.name), []).append(
            d.code
        )
        names.setdefault(("", town.name if town else "", d.name), []).append(d.code)
    for ref in sorted(refs, key=str):
        county, town, village = ref
        codes = names.get(ref) if county else names.get(("", town, village))
        label = "".join(x for x in ref if x)
        if not codes:
            problems.append(
                Problem(
                    f"找不到行政村“{label}”（或不在您的辖区内）",
                    row=first_row[ref],
                    field="行政村",
                    value=village,
                )
            )
        elif len(set(codes)) > 1:
            problems.append(
                Problem(
                    f"行政村“{label}”有重名，请在“县”列填写县名",
                    row=first_row[ref],
                    field="行政村",
                    value=village,
                )
            )
        else:
            result[ref] = codes[0]
    return result, problems


def _values(values: list, sql_type: str = "varchar"):
    """The right-hand side of ``__in`` for a long list: one array parameter on PostgreSQL
    (a query with 100 000 placeholders costs more to build than to run), the list elsewhere."""
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{sql_type}[])", (values,))
    return values


def _norm(v: Any) -> Any:
    return "" if v is None else v


OUTSIDE = "不在您的辖区内"


def _in_scope(user):
    """code -> whether the importer's jurisdiction covers it (the system itself: everywhere)."""
    prefixes = None if user is None else access.scope_prefixes(user, "registry.import")
    if prefixes is None:
        return lambda code: True
    return lambda code: code.startswith(prefixes)


def plan(
    households: list[HouseholdRecord], villages: dict[Any, str], user=None
) -> tuple[Plan, list[Problem]]:
    """What writing the file changes. A person or household is matched (by ID number, or by
    户编号 in the county) only inside the importer's jurisdiction: one registered outside it is
    a row problem, never moved into it (its members would be left behind, its credit line too)."""
    covered = _in_scope(user)
    v = vault()
    plan = Plan()
    problems: list[Problem] = []
    index_of = plan.index_of
    for h in households:
        for m in h.members:
            index_of[m.id_number] = v.index(m.id_number)
    existing: dict[str, Person] = {}
    for p in Person.objects.filter(id_index__in=_values(list(index_of.values()))).select_related("household"):
        existing[p.id_index] = p
    keys = {(villages[h.key[0]][:6], h.key[1]) for h in households}
    by_no: dict[tuple[str, str], Household] = {}
    counties = sorted({k[0] for k in keys})
    for hh in Household.objects.filter(
        county_code__in=counties, registry_no__in=_values(sorted({k[1] for k in keys}))
    ):
        by_no[(hh.county_code, hh.registry_no)] = hh
    # stored persons outside the importer's jurisdiction are not theirs to match, move or change
    outside: set[int] = set()
    for i, h in enumerate(households):
        for m in h.members:
            p = existing.get(index_of[m.id_number])
            if p is not None and not covered(p.village_code):
                outside.add(i)
                problems.append(
                    Problem(
                        f"证件号码已登记在另一户，该户{OUTSIDE}，不能导入或迁移",
                        row=m.row,
                        field="证件号码",
                        value=mask_id(m.id_number),
                    )
                )
        hh = by_no.get((villages[h.key[0]][:6], h.key[1]))
        if hh is not None and not covered(hh.village_id):
            outside.add(i)
            problems.append(
                Problem(
                    f"户编号“{h.key[1]}”已是另一户的编号，该户{OUTSIDE}",
                    row=h.members[0].row,
                    field="户编号",
                    value=h.key[1],
                )
            )
    if outside:
        return plan, problems
    # which stored household each file household is
    matched: dict[int, Household | None] = {}
    for i, h in enumerate(households):
        code = villages[h.key[0]]
        head = existing.get(index_of[h.head.id_number])
        if head is not None and head.left_on is None:
            matched[i] = head.household
        else:
            matched[i] = by_no.get((code[:6], h.key[1]))
    in_file = {hh.pk for hh in matched.values() if hh is not None}
    members_now: dict[int, list[Person]] = {}
    if in_file:
        for p in Person.objects.filter(
            household_id__in=_values(sorted(in_file), "bigint"), left_on__isnull=True
        ):
            members_now.setdefault(p.household_id, []).append(p)
    placed: set[int] = set()
    for i, h in enumerate(households):
        code = villages[h.key[0]]
        target = matched[i]
        head_row = h.head
        if target is None:
            plan.new_households.append((h, code))
        else:
            changes = _household_changes(target, head_row.household, code, h.key[1])
            if changes:
                plan.changed_households.append((target, changes))
        for m in h.members:
            p = existing.get(index_of[m.id_number])
            if p is None:
                plan.new_persons.append((m, target, h))
                continue
            placed.add(p.pk)
            if target is None or p.household_id != target.pk:
                if p.left_on is None and p.household_id not in in_file:
                    problems.append(
                        Problem(
                            f"证件号码已登记在另一户（户编号 {p.household.registry_no}），"
                            "该户不在本文件中，不能迁移",
                            row=m.row,
                            field="证件号码",
                            value=mask_id(m.id_number),
                        )
                    )
                    continue
                plan.moved_persons.append((p, target))  # target None: the new household, resolved on write
                p._record = m  # type: ignore[attr-defined]
                p._household_record = h  # type: ignore[attr-defined]
            changes = _person_changes(p, m)
            if changes:
                plan.changed_persons.append((p, changes))
    seen_no: dict[tuple[str, str], int] = {}
    for h, code in plan.new_households:
        key = (code[:6], h.key[1])
        if key in seen_no:
            problems.append(
                Problem(
                    f"户编号“{h.key[1]}”在本县已用于另一户（第 {seen_no[key]} 行）",
                    row=h.members[0].row,
                    field="户编号",
                    value=h.key[1],
                )
            )
        else:
            seen_no[key] = h.members[0].row
    for persons in members_now.values():
        for p in persons:
            if p.pk not in placed:
                plan.left_persons.append(p)
    return plan, problems


def _household_changes(
    hh: Household, given: dict[str, Any], village: str, registry_no: str
) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    if hh.village_id != village:
        changes["village"] = (hh.village_id, village)
    if hh.registry_no != registry_no:
        changes["registry_no"] = (hh.registry_no, registry_no)
    for f in COMPARED_HOUSEHOLD:
        if f not in given:
            continue
        new = given[f]
        old = getattr(hh, f, None)
        if f == "tags":
            new, old = sorted(new or []), sorted(old or [])
        if _norm(old) != _norm(new):
            changes[f] = (old, new)
    if "bank_account" in given:
        old = vault().decrypt(hh.bank_account_cipher) if hh.bank_account_cipher else ""
        if old != (given["bank_account"] or ""):
            changes["bank_account"] = (old, given["bank_account"] or "")
    return changes


def _person_changes(p: Person, m: PersonRecord) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for f, new in (("name", m.name), ("relationship", m.relationship), ("is_head", m.is_head)):
        if getattr(p, f) != new:
            changes[f] = (getattr(p, f), new)
    for f in PERSON_FIELDS:
        if f in m.person and _norm(getattr(p, f)) != _norm(m.person[f]):
            changes[f] = (getattr(p, f), m.person[f])
    if m.phone is not None:  # None: the file has no phone column
        new_phone_index = vault().index(m.phone) if m.phone else ""
        if p.phone_index != new_phone_index:
            changes["phone"] = (p.phone_masked, m.phone)
    return changes


def _shown(f: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if f == "bank_account":
        return mask_id(str(value)) if len(str(value)) > 10 else "****"
    if f == "phone":
        return mask_phone(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    return str(value)[:200]


def _household_values(h: HouseholdRecord, code: str) -> dict[str, Any]:
    v = vault()
    g = h.head.household
    values: dict[str, Any] = {"county_code": code[:6], "village_id": code, "registry_no": h.key[1]}
    for f in COMPARED_HOUSEHOLD:
        if f in g and g[f] is not None:
            values[f] = g[f]
    if not g.get("member_count"):
        values["member_count"] = len(h.members)
    if not g.get("status"):
        values["status"] = "poor"
    if g.get("bank_account"):
        values["bank_account_cipher"] = v.encrypt(g["bank_account"])
        values["bank_account_masked"] = _shown("bank_account", g["bank_account"])
    return values


class Rows:
    """Builds the rows and history events of a plan (ids reserved up front so that members
    can point at their new households)."""

    def __init__(self, batch: ImportBatch | None, actor) -> None:
        self.now = timezone.now()
        self.batch_id = batch.pk if batch is not None else None  # None: one household over the API
        self.actor_id = getattr(actor, "pk", None)
        self.events: list[tuple] = []
        self.created: dict[int, tuple[int, str]] = {}  # id(HouseholdRecord) -> (household id, village code)
        self.event_row = EVENTS.maker(EVENT_ROW, self.now)

    def event(
        self, household_id: int, kind: str, f: str = "", before: Any = "", after: Any = "", person: str = ""
    ) -> None:
        self.events.append(
            self.event_row(
                household_id,
                self.actor_id,
                self.batch_id,
                kind,
                LABELS.get(f, f),
                _shown(f, before),
                _shown(f, after),
                person,
            )
        )

    def new_households(self, plan: Plan) -> list[tuple]:
        rows = []
        for (h, code), hid in zip(
            plan.new_households, bulk.reserve_ids(Household, len(plan.new_households)), strict=True
        ):
            values = _household_values(h, code)
            rows.append(HOUSEHOLDS.row({"id": hid, **values, "_now": self.now}))
            self.created[id(h)] = (hid, code)
            status = STATUS_LABELS.get(values["status"], values["status"])
            self.event(
                hid,
                HouseholdEvent.Kind.CREATED,
                "status",
                after=f"{status}，{len(h.members)} 人",
                person=h.head.name,
            )
        return rows

    def new_persons(self, plan: Plan) -> list[tuple]:
        """The members' rows (close to a million in a prefecture's first import: built positionally)."""
        rows = []
        v = vault()
        encrypt, index, index_of = v.encrypt, v.index, plan.index_of
        make = PERSONS.maker(PERSON_ROW, self.now)
        moving = {hh.pk: ch["village"][1] for hh, ch in plan.changed_households if "village" in ch}
        for (m, target, h), pid in zip(
            plan.new_persons, bulk.reserve_ids(Person, len(plan.new_persons)), strict=True
        ):
            hid, code = (
                (target.pk, moving.get(target.pk, target.village_id))
                if target is not None
                else self.created[id(h)]
            )
            given = m.person
            phone = m.phone
            rows.append(
                make(
                    pid,
                    hid,
                    code[:6],
                    code,
                    m.name,
                    encrypt(m.id_number),
                    index_of[m.id_number],
                    mask_id(m.id_number),
                    m.birth_date,
                    m.sex,
                    m.is_head,
                    m.relationship,
                    *[x if (x := given.get(f)) is not None else default for f, default in PERSON_DEFAULTS],
                    *((encrypt(phone), index(phone), mask_phone(phone)) if phone else (None, "", "")),
                )
            )
            if target is not None:
                self.event(hid, HouseholdEvent.Kind.MEMBER_IN, person=m.name, after=m.relationship)
        return rows

    def apply_changes(self, plan: Plan) -> None:
        """Updates of stored households and persons (few, so through the ORM), with events."""
        now, event = self.now, self.event
        changed_h = []
        for hh, changes in plan.changed_households:
            for f, (old, new) in changes.items():
                if f == "village":
                    hh.village_id = new
                    hh.county_code = new[:6]
                elif f == "bank_account":
                    hh.bank_account_cipher = vault().encrypt(new) if new else None
                    hh.bank_account_masked = _shown(f, new)
                else:
                    setattr(hh, f, new)
                kind = HouseholdEvent.Kind.STATUS if f == "status" else HouseholdEvent.Kind.CHANGED
                if f == "status":
                    old, new = STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)
                event(hh.pk, kind, f, old, new)
            hh.updated_at = now
            changed_h.append(hh)
        if changed_h:
            column_of = {"village": "village", "bank_account": "bank_account_cipher"}
            fields = {column_of.get(f, f) for _, ch in plan.changed_households for f in ch}
            Household.objects.bulk_update(
                changed_h,
                sorted(fields | {"county_code", "bank_account_masked", "updated_at"}),
                batch_size=CHUNK,
            )
        # persons who leave first, so that the one-head constraint holds when a new head arrives
        for p in plan.left_persons:
            p.left_on = now.date()
            event(p.household_id, HouseholdEvent.Kind.MEMBER_OUT, person=p.name, before=p.relationship)
        if plan.left_persons:
            Person.objects.bulk_update(plan.left_persons, ["left_on"], batch_size=CHUNK)
        heads_stepping_down = [
            p.pk for p, ch in plan.changed_persons if "is_head" in ch and not ch["is_head"][1]
        ]
        if heads_stepping_down:
            Person.objects.filter(pk__in=heads_stepping_down).update(is_head=False)
        changed_p = {p.pk: p for p, _ in plan.changed_persons}
        for p, target in plan.moved_persons:
            old_no = p.household.registry_no
            if target is not None:
                hid, code, no = target.pk, target.village_id, target.registry_no
            else:
                hid, code = self.created[id(p._household_record)]  # type: ignore[attr-defined]
                no = p._household_record.key[1]  # type: ignore[attr-defined]
            event(p.household_id, HouseholdEvent.Kind.MEMBER_OUT, person=p.name, after=f"迁往户 {no}")
            event(hid, HouseholdEvent.Kind.MEMBER_IN, person=p.name, before=f"来自户 {old_no}")
            p.household_id, p.county_code, p.village_code, p.left_on = hid, code[:6], code, None
            changed_p[p.pk] = p
        for p, changes in plan.changed_persons:
            for f, (old, new) in changes.items():
                if f == "phone":
                    v = vault()
                    p.phone_cipher, p.phone_index, p.phone_masked = (
                        (v.encrypt(new), v.index(new), mask_phone(new)) if new else (None, "", "")
                    )
                else:
                    setattr(p, f, new)
                event(p.household_id, HouseholdEvent.Kind.CHANGED, f, old, new, person=p.name)
        if changed_p:
            Person.objects.bulk_update(
                list(changed_p.values()),
                [
                    "household",
                    "county_code",
                    "village_code",
                    "left_on",
                    "name",
                    "relationship",
                    "is_head",
                    "phone_cipher",
                    "phone_index",
                    "phone_masked",
                    *PERSON_FIELDS,
                ],
                batch_size=CHUNK,
            )
        # a household's members and credit line go with it: they never disagree on the village
        credit_lines = Household._meta.get_field(
            "credit"
        ).related_model  # ratings builds on households: not imported
        for hh in (hh for hh, ch in plan.changed_households if "village" in ch):
            Person.objects.filter(household=hh).update(village_code=hh.village_id, county_code=hh.county_code)
            credit_lines.objects.filter(household=hh).update(village_code=hh.village_id)


def write(plan: Plan, batch: ImportBatch | None, actor) -> None:
    """Apply a plan inside the caller's transaction (``batch`` None: an entry over the API)."""
    rows = Rows(batch, actor)
    bulk.insert(Household, HOUSEHOLDS.columns, rows.new_households(plan))
    people = rows.new_persons(plan)
    rows.apply_changes(plan)
    bulk.insert(Person, PERSONS.columns, people)
    bulk.insert(HouseholdEvent, EVENTS.columns, rows.events)

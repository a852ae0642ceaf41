"""Credit-information writes (R-CRD-1 … 3): items (one at a time, from a source's Excel, or
from another database's credit file — all or nothing), consents, the query that is logged
whether allowed or refused, and ratings of lead households and cooperatives."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.coops.models import CoopLoan
from fupin.coops.selectors import report
from fupin.core import creditinfo as core
from fupin.core.errors import NotPermitted, Problem, ValidationFailed
from fupin.core.registry import clean_header, parse_date
from fupin.creditinfo.models import Consent, CreditItem, EntityRating, Query
from fupin.creditinfo.selectors import FILE_FORMAT, credit_file
from fupin.divisions.models import Branch
from fupin.households.models import Household, Person
from fupin.households.pii import id_index
from fupin.households.xlsx import SheetProblem, checked_rows
from fupin.loans.models import LeadAgreement, Loan, Servicing

SERVICE = "农户信用信息服务中心"  # the service's own operators: no consent needed to read what it holds
HEADERS = {
    "证件号码": "id_number",
    "类别": "category",
    "项目": "name",
    "内容": "value",
    "信息日期": "on",
    "不良记录": "adverse",
    "不良行为终止日期": "adverse_end",
}
REQUIRED = ("id_number", "category", "name", "value", "on")
CATEGORY_BY_LABEL = {**{v: k for k, v in core.CATEGORIES.items()}, **{k: k for k in core.CATEGORIES}}
YES = {
    "是": True,
    "有": True,
    "y": True,
    "yes": True,
    "1": True,
    "否": False,
    "无": False,
    "n": False,
    "no": False,
    "0": False,
    "": False,
}


def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def _item(
    values: dict[str, Any], row: int | None, today: dt.date, problems: list[Problem]
) -> dict[str, Any] | None:
    """One item's fields checked (every problem of the row listed)."""
    found: list[Problem] = []

    def bad(field: str, value: Any, message: str) -> None:
        found.append(Problem(message, field=field, value=_text(value)[:60], row=row))

    category = CATEGORY_BY_LABEL.get(_text(values.get("category")))
    if category is None:
        bad("类别", values.get("category"), "类别应为：" + "、".join(core.CATEGORIES.values()))
    name, value = _text(values.get("name")), _text(values.get("value"))
    if not name or len(name) > 60:
        bad("项目", name, "项目不能为空，最多 60 字")
    if not value or len(value) > 200:
        bad("内容", value, "内容不能为空，最多 200 字")
    on, problem = parse_date(values.get("on"), today)
    if problem or on is None:
        bad("信息日期", values.get("on"), problem or "信息日期不能为空")
    adverse = YES.get(_text(values.get("adverse")).lower())
    if adverse is None:
        bad("不良记录", values.get("adverse"), "不良记录应填“是”或“否”")
    end, problem = parse_date(values.get("adverse_end"), today)
    if problem:
        bad("不良行为终止日期", values.get("adverse_end"), problem)
    elif end is not None and not adverse:
        bad("不良行为终止日期", values.get("adverse_end"), "只有不良记录才有终止日期")
    elif end is not None and on is not None and end < on:
        bad("不良行为终止日期", values.get("adverse_end"), "终止日期不能早于信息日期")
    problems.extend(found)
    if found:
        return None
    return {
        "category": category,
        "name": name,
        "value": value,
        "on": on,
        "adverse": bool(adverse),
        "adverse_end": end,
    }


def _households_by_id(user, numbers: list[str], action: str) -> dict[str, Household]:
    """ID number → the household the person belongs to now, among those the user may ``action``."""
    indexes = {}
    for raw in numbers:
        try:
            indexes[id_index(raw)] = raw
        except ValueError:
            continue
    people = Person.objects.filter(id_index__in=list(indexes)).select_related("household")
    visible = (
        set(
            access.visible(
                user, Household.objects.filter(pk__in=[p.household_id for p in people]), action
            ).values_list("pk", flat=True)
        )
        if user is not None
        else {p.household_id for p in people}
    )
    return {indexes[p.id_index]: p.household for p in people if p.household_id in visible}


def _save(
    acting_user, household_items: list[tuple[Household, dict[str, Any]]], source: str, what: str
) -> int:
    before = CreditItem.objects.count()
    CreditItem.objects.bulk_create(
        [
            CreditItem(
                household=h, village_code=h.village_id, source=source, recorded_by=acting_user, **fields
            )
            for h, fields in household_items
        ],
        ignore_conflicts=True,
    )  # the same item again changes nothing
    created = CreditItem.objects.count() - before
    audit_record(
        actor=acting_user,
        action="credit.import",
        object_type="creditinfo.CreditItem",
        object_id=what[:40],
        division_code=household_items[0][0].village_id if household_items else "",
        after={"source": source, "rows": len(household_items), "created": created, "file": what},
    )
    return created


def _source(source: str) -> str:
    source = (source or "").strip()
    if not 2 <= len(source) <= 60:
        raise ValidationFailed("请填写信息来源部门（2–60 字），如 县农业农村局", code="credit_source")
    return source


def item_add(*, acting_user, household: Household, source: str, **values: Any) -> CreditItem:
    """One item from a source department (R-CRD-1)."""
    access.require(acting_user, "credit.record", household)
    problems: list[Problem] = []
    fields = _item(values, None, timezone.localdate(), problems)
    if fields is None:
        raise ValidationFailed(
            "信用信息有误", code="credit_item_invalid", details=[p.as_dict() for p in problems]
        )
    with transaction.atomic():
        item, created = CreditItem.objects.get_or_create(
            household=household,
            source=_source(source),
            name=fields["name"],
            on=fields["on"],
            value=fields["value"],
            defaults={**fields, "village_code": household.village_id, "recorded_by": acting_user},
        )
        if created:
            audit_record(
                actor=acting_user,
                action="credit.item",
                obj=item,
                division_code=household.village_id,
                after={k: str(v) for k, v in fields.items()} | {"source": item.source},
            )
    return item


def items_import(*, acting_user, path: Path, source: str, file_name: str) -> int:
    """A source's Excel (headers 证件号码, 类别, 项目, 内容, 信息日期, 不良记录, 不良行为终止日期, in
    any order): all or nothing — every bad row is listed and nothing is saved. Returns how many
    items are new (importing the same file again adds none)."""

    access.require(acting_user, "credit.record")
    source = _source(source)
    today = timezone.localdate()
    try:
        it = iter(checked_rows(path))
        header = next(it, None)
        if header is None:
            raise SheetProblem([Problem("文件是空的")])
        columns: dict[str, int] = {}
        problems: list[Problem] = []
        for i, h in enumerate(header):
            name = clean_header(h)
            if not name:
                continue
            if name not in HEADERS:
                problems.append(
                    Problem(f"未知的列“{name}”；可用的列：" + "、".join(HEADERS), field=name, row=1)
                )
            else:
                columns[HEADERS[name]] = i
        missing = [k for k, v in HEADERS.items() if v in REQUIRED and v not in columns]
        if missing:
            problems.append(Problem("缺少必需的列：" + "、".join(missing), row=1))
        if problems:
            raise SheetProblem(problems)
        rows = [
            (n, {key: (r[i] if i < len(r) else None) for key, i in columns.items()})
            for n, r in enumerate(it, start=2)
            if any(v not in (None, "") for v in r)
        ]
    except SheetProblem as e:
        raise ValidationFailed(
            "文件无法导入", code="credit_import_invalid", details=[p.as_dict() for p in e.problems]
        ) from None
    if not rows:
        raise ValidationFailed("文件中没有数据行", code="credit_import_invalid", details=[])
    found = _households_by_id(acting_user, [_text(v["id_number"]) for _, v in rows], "credit.record")
    good: list[tuple[Household, dict[str, Any]]] = []
    for n, values in rows:
        fields = _item(values, n, today, problems)
        household = found.get(_text(values["id_number"]))
        if household is None:
            problems.append(
                Problem(
                    "查无此人，或不在您的辖区内",
                    field="证件号码",
                    value=_text(values["id_number"])[:4] + "…",
                    row=n,
                )
            )
        elif fields is not None:
            good.append((household, fields))
    if problems:
        raise ValidationFailed(
            f"有 {len(problems)} 处错误，整个文件未导入",
            code="credit_import_invalid",
            details=[p.as_dict() for p in problems],
        )
    with transaction.atomic():
        return _save(acting_user, good, source, file_name)


def institution_of(user) -> tuple[str, str] | None:
    """The lending institution (its code and name) of a bank user."""
    for ra in user.roles.select_related("branch__institution").exclude(branch=None).order_by("pk"):
        return ra.branch.institution.code, ra.branch.institution.name
    return None


def consent_record(
    *,
    acting_user,
    household: Household,
    institution: str,
    document_no: str,
    granted_on: dt.date,
    expires_on: dt.date,
) -> Consent:
    """The household's signed authorisation for one institution to query it (征信业管理条例)."""
    access.require(acting_user, "credit.consent", household)
    bank = Branch.objects.filter(code=institution, parent__isnull=True).first()
    document_no = document_no.strip()[:40]
    if bank is None:
        raise ValidationFailed("被授权机构应为金融机构（总社）代码", code="consent_institution")
    own = institution_of(acting_user)
    if own is not None and own[0] != bank.code:  # a bank's staff record their own bank's (issue 25)
        raise NotPermitted("只能登记对本机构的查询授权", code="consent_other_institution")
    if not document_no:
        raise ValidationFailed("请填写授权书编号", code="consent_document")
    if not granted_on <= expires_on or granted_on > timezone.localdate():
        raise ValidationFailed("授权日期不能晚于今天，有效期至不能早于授权日期", code="consent_dates")
    with transaction.atomic():
        c = Consent.objects.create(
            household=household,
            village_code=household.village_id,
            institution=bank.code,
            institution_name=bank.name,
            document_no=document_no,
            granted_on=granted_on,
            expires_on=expires_on,
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="credit.consent",
            obj=c,
            division_code=household.village_id,
            after={
                "institution": bank.code,
                "document_no": document_no,
                "granted_on": str(granted_on),
                "expires_on": str(expires_on),
            },
        )
    return c


def consent_revoke(*, acting_user, consent: Consent) -> Consent:
    access.require(acting_user, "credit.consent", consent)
    with transaction.atomic():
        if consent.revoked_on is None:
            consent.revoked_on, consent.revoked_by = timezone.localdate(), acting_user
            consent.save(update_fields=["revoked_on", "revoked_by"])
            audit_record(
                actor=acting_user,
                action="credit.consent_revoke",
                obj=consent,
                division_code=consent.village_code,
                after={"revoked_on": str(consent.revoked_on)},
            )
    return consent


def active_consent(household: Household, institution: str, on: dt.date) -> Consent | None:
    return Consent.objects.filter(
        household=household,
        institution=institution,
        granted_on__lte=on,
        expires_on__gte=on,
        revoked_on__isnull=True,
    ).first()


def credit_query(*, acting_user, household: Household, purpose: str) -> Query:
    """Read a household's credit information: the service's own operators within their
    jurisdiction; another institution only with the household's consent in force. Every query
    is logged, the refused ones too (the log row is kept when the refusal is raised)."""
    purpose = (purpose or "").strip()[:100]
    if len(purpose) < 2:
        raise ValidationFailed("请填写查询原因（如 贷款审批、贷后管理）", code="query_purpose")
    if access.may(acting_user, "credit.view", household):
        with transaction.atomic():
            return Query.objects.create(
                household=household,
                village_code=household.village_id,
                institution=SERVICE,
                user=acting_user,
                purpose=purpose,
                allowed=True,
            )
    access.require(acting_user, "credit.query", household)
    inst = institution_of(acting_user)
    consent = active_consent(household, inst[0], timezone.localdate()) if inst else None
    with transaction.atomic():
        q = Query.objects.create(
            household=household,
            village_code=household.village_id,
            institution=inst[1] if inst else "",
            user=acting_user,
            purpose=purpose,
            allowed=consent is not None,
            consent=consent,
        )
    if consent is None:
        raise NotPermitted(
            "该户未授权本机构查询其信用信息（须先登记农户签字的授权书）", code="consent_required"
        )
    return q


# --- the credit file exchanged with a county database -------------------------------------------


def credit_file_import(*, acting_user, data: dict[str, Any]) -> int:
    """Items of another database's credit file (:data:`fupin.creditinfo.selectors.FILE_FORMAT`),
    matched by ID number: all or nothing; items already held are skipped. Returns how many are new."""
    access.require(acting_user, "credit.exchange")
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise ValidationFailed(f"不是信用档案文件（format 应为 {FILE_FORMAT}）", code="credit_file_invalid")
    files = data.get("households")
    if not isinstance(files, list) or not files:
        raise ValidationFailed("文件中没有农户", code="credit_file_invalid")
    numbers = [_text((f or {}).get("id_number")) if isinstance(f, dict) else "" for f in files]
    found = _households_by_id(acting_user, numbers, "credit.exchange")
    problems: list[Problem] = []
    good: list[tuple[Household, dict[str, Any]]] = []
    today = timezone.localdate()
    sources: set[str] = set()
    for n, (f, number) in enumerate(zip(files, numbers, strict=True), start=1):
        household = found.get(number)
        if household is None:
            problems.append(
                Problem("查无此人，或不在您的辖区内", field="id_number", value=number[:4] + "…", row=n)
            )
            continue
        for item in f.get("items") or []:
            if not isinstance(item, dict):
                problems.append(Problem("信用信息格式有误", row=n))
                continue
            source = _text(item.get("source"))
            if not 2 <= len(source) <= 60:
                problems.append(Problem("来源部门不能为空", field="source", row=n))
            fields = _item({**item, "adverse": "是" if item.get("adverse") else "否"}, n, today, problems)
            if fields is not None and 2 <= len(source) <= 60:
                sources.add(source)
                good.append((household, {**fields, "source": source}))
    if problems:
        raise ValidationFailed(
            f"有 {len(problems)} 处错误，整个文件未导入",
            code="credit_file_invalid",
            details=[p.as_dict() for p in problems[:500]],
        )
    with transaction.atomic():
        before = CreditItem.objects.count()
        CreditItem.objects.bulk_create(
            [
                CreditItem(household=h, village_code=h.village_id, recorded_by=acting_user, **fields)
                for h, fields in good
            ],
            ignore_conflicts=True,
        )
        created = CreditItem.objects.count() - before
        audit_record(
            actor=acting_user,
            action="credit.file_import",
            object_type="creditinfo.CreditItem",
            division_code=good[0][0].village_id if good else "",
            after={
                "households": len(files),
                "items": len(good),
                "created": created,
                "sources": sorted(sources),
            },
        )
    return created


# --- lead households and cooperatives (R-CRD-3) -------------------------------------------------


def lead_facts(household: Household, *, output: int, years: int | None, on: dt.date) -> dict[str, Any]:
    agreements = list(LeadAgreement.objects.filter(lead=household, ended_on__isnull=True))
    driven = [a.driven_id for a in agreements]
    late = set(
        Servicing.objects.filter(
            loan__household_id__in=driven, active=True, late_since__isnull=False
        ).values_list("loan__household_id", flat=True)
    )
    own = Servicing.objects.filter(loan__household=household).exclude(loan__state=Loan.State.CONTRACTED)
    record = (
        2
        if own.filter(active=True, late_since__isnull=False).exists()
        else 1
        if own.filter(ever_late=True).exists()
        else 0
    )
    if years is None:
        first = min((a.signed_on for a in agreements), default=on)
        years = (on - first).days // 365
    return {
        "years": years,
        "driven": len(driven),
        "driven_clean": str(Fraction(len(set(driven) - late), len(driven))) if driven else "0",
        "own_record": record,
        "output": output,
    }


def coop_facts(coop, on: dt.date) -> dict[str, Any]:
    r = report([coop], on)[0]
    due = CoopLoan.objects.filter(coop=coop, due__lte=on).values_list("amount", "principal_paid")
    owed, paid = sum(a for a, _ in due), sum(p for _, p in due)
    return {
        "membership": str(r["membership"].value or 0),
        "borrowing": str(r["borrowing"].value or 0),
        "repayment": str(Fraction(paid, owed) if owed else 1),
        "capital": (r["government"] + r["member_capital"]) // 100,
        "years": (on - coop.founded_on).days // 365,
    }


def entity_rate(
    *,
    acting_user,
    kind: str,
    household: Household | None = None,
    coop=None,
    output: int | None = None,
    years: int | None = None,
) -> EntityRating:
    """Rate a lead household or a cooperative on its own scorecard (R-CRD-3), from the facts the
    system holds (a lead household's annual output is given)."""
    on = timezone.localdate()
    if kind == "lead":
        if household is None or output is None or output < 0:
            raise ValidationFailed("请选择带动主体并填写年产值（元）", code="entity_facts")
        access.require(acting_user, "credit.rate", household)
        facts, subject = lead_facts(household, output=output, years=years, on=on), household
    elif kind == "coop":
        if coop is None:
            raise ValidationFailed("请选择扶贫互助社", code="entity_facts")
        access.require(acting_user, "credit.rate", coop)
        facts, subject = coop_facts(coop, on), coop
    else:
        raise ValidationFailed("评级对象应为 lead（带动主体）或 coop（扶贫互助社）", code="entity_kind")
    s = core.score(kind, facts)
    with transaction.atomic():
        row = EntityRating.objects.create(
            kind=kind,
            household=household if kind == "lead" else None,
            coop=coop if kind == "coop" else None,
            village_code=subject.village_code if kind == "coop" else household.village_id,  # type: ignore[union-attr]
            facts=facts,
            lines=[list(x) for x in s.lines],
            total=s.total,
            grade=s.grade,
            rated_on=on,
            rated_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="credit.entity_rate",
            obj=row,
            division_code=row.village_code,
            after={"kind": kind, "total": s.total, "grade": s.grade, "facts": facts},
        )
    return row


def credit_file_export(*, acting_user, household: Household) -> dict[str, Any]:
    """A household's credit file for the county database (with ID numbers): the export is
    recorded in the audit log in the same transaction that reads it."""

    access.require(acting_user, "credit.exchange", household)
    with transaction.atomic():
        audit_record(
            actor=acting_user, action="credit.file_export", obj=household, division_code=household.village_id
        )
        return credit_file([household])

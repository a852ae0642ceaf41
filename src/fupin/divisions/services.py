"""Writes for divisions and branches (each audited in the same transaction)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from fupin.audit.services import audit_record
from fupin.core import divisions as codes
from fupin.core.errors import Conflict, ProblemList, ValidationFailed
from fupin.divisions.models import Branch, Division, Institution


def division_create(*, acting_user, code: str, name: str, parent_code: str | None) -> Division:
    """Create a division after checking its code against its parent's (R-REG-1)."""
    name = name.strip()
    if not name:
        raise ValidationFailed("区划名称不能为空", code="division_name_empty")
    level = codes.level_of(code)
    parent = None
    if parent_code:
        parent = Division.objects.filter(code=parent_code).first()
        if parent is None:
            raise ValidationFailed(f"上级区划“{parent_code}”不存在", code="division_parent_missing")
        codes.check_child(parent.code, code)
    elif level != codes.Level.PROVINCE:
        raise ValidationFailed(f"{level.label}级区划“{code}”必须有上级区划", code="division_parent_missing")
    with transaction.atomic():
        if Division.objects.filter(code=code).exists():
            raise Conflict(f"区划代码“{code}”已存在", code="division_exists")
        division = Division.objects.create(
            code=code, name=name, level=level, prefix=codes.prefix_of(code), parent=parent
        )
        audit_record(
            actor=acting_user,
            action="division.create",
            obj=division,
            division_code=code,
            after={"code": code, "name": name, "parent": parent_code},
        )
    return division


def divisions_bulk_create(*, acting_user, rows: Iterable[tuple[str, str, str | None]]) -> int:
    """Create many divisions at once (parents first); validates every row before writing.

    Used by the demo and by imports of a county's division list: all rows are checked
    and every problem is reported together; nothing is written if any row is bad.
    """
    rows = list(rows)
    problems = ProblemList()
    known = set(Division.objects.values_list("code", flat=True))
    seen: set[str] = set()
    objs = []
    for i, (code, name, parent_code) in enumerate(rows, start=1):
        try:
            level = codes.level_of(code)
            if parent_code:
                codes.check_child(parent_code, code)
                if parent_code not in known and parent_code not in seen:
                    problems.add(f"上级区划“{parent_code}”不存在", row=i, field="parent", value=parent_code)
            elif level != codes.Level.PROVINCE:
                problems.add("缺少上级区划", row=i, field="parent", value=code)
        except ValidationFailed as e:
            problems.add(e.message, row=i, field="code", value=code)
            continue
        if code in known or code in seen:
            problems.add(f"区划代码“{code}”重复", row=i, field="code", value=code)
        seen.add(code)
        objs.append(
            Division(code=code, name=name, level=level, prefix=codes.prefix_of(code), parent_id=parent_code)
        )
    problems.raise_if_any("区划数据有误，未导入任何记录", code="division_import_invalid")
    with transaction.atomic():
        Division.objects.bulk_create(objs, batch_size=2000)
        audit_record(
            actor=acting_user,
            action="division.bulk_create",
            object_type="divisions.Division",
            object_id="*",
            division_code=objs[0].code if objs else "",
            after={"count": len(objs), "first": objs[0].code if objs else None},
        )
    return len(objs)


def branch_create(
    *,
    acting_user,
    code: str,
    name: str,
    county_code: str,
    coverage_codes: list[str],
    parent: Branch | None = None,
    short_name: str = "",
    kind: str = Institution.Kind.RURAL_CREDIT,
) -> Branch:
    """A branch under ``parent``, of the parent's institution; with no parent, a head office: a new
    lending institution (issue 25) of that code and name, its short name and kind as given."""
    county = Division.objects.filter(code=county_code, level=codes.Level.COUNTY).first()
    if county is None:
        raise ValidationFailed(f"县级区划“{county_code}”不存在", code="branch_county_missing")
    coverage = list(Division.objects.filter(code__in=coverage_codes))
    missing = sorted(set(coverage_codes) - {d.code for d in coverage})
    if missing:
        raise ValidationFailed(f"服务区域不存在：{'、'.join(missing)}", code="branch_coverage_missing")
    outside = [d.code for d in coverage if not codes.contains(county.code, d.code)]
    if outside:
        raise ValidationFailed(f"服务区域不在本县内：{'、'.join(outside)}", code="branch_coverage_outside")
    with transaction.atomic():
        if parent is not None:
            institution = parent.institution
        else:
            if Institution.objects.filter(code=code).exists():
                raise ValidationFailed(f"机构代码“{code}”已被使用", code="institution_code_taken")
            institution = Institution.objects.create(
                code=code, name=name, short_name=short_name or name[:16], kind=kind, county=county
            )
        branch = Branch.objects.create(
            code=code, name=name, county=county, parent=parent, institution=institution
        )
        branch.coverage.set(coverage)
        audit_record(
            actor=acting_user,
            action="branch.create",
            obj=branch,
            division_code=county.code,
            after={
                "code": code,
                "name": name,
                "coverage": sorted(coverage_codes),
                "parent": parent.code if parent else None,
                "institution": institution.code,
            },
        )
    return branch

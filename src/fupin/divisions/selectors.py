"""Reads for divisions and branches, always through the reader's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, QuerySet

from fupin import compiled
from fupin.accounts import access
from fupin.core.divisions import Level, grouped
from fupin.core.errors import NotFound, ValidationFailed
from fupin.divisions.models import Branch, Division, Institution

__all__ = ["Branch", "Division", "Institution", "divisions_visible", "division_counts"]


def divisions_visible(
    reader, *, parent: str | None = None, level: int | None = None, name: str | None = None
) -> QuerySet[Division]:
    access.require(reader, "division.view")
    qs = access.visible(reader, Division, "division.view")
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    if name:
        qs = qs.filter(name__contains=name)
    return qs.order_by("code")


def division_counts(reader) -> dict[str, int]:
    """How many divisions of each level the reader's jurisdiction holds (for home pages)."""
    rows = (
        access.visible(reader, Division, "division.view").values("level").annotate(n=Count("code")).order_by()
    )
    by_level = {r["level"]: r["n"] for r in rows}
    return {Level(lvl).label: by_level.get(lvl.value, 0) for lvl in Level if by_level.get(lvl.value)}


def lenders_of(code: str) -> list[Institution]:
    """The lending institutions with a branch that serves division ``code`` (issue 25), the nearest
    first — the one whose branch serves the township before one whose branch serves the whole
    county — then the one the county has worked with longest (registered first). The first is the
    village's lender when an application names none."""
    served = Branch.coverage.through.objects.filter(division__code__startswith=code[:6]).values_list(
        "branch__institution_id", "division__prefix"
    )
    nearest: dict[int, int] = {}
    for institution, prefix in served:
        if code.startswith(prefix):
            nearest[institution] = max(nearest.get(institution, 0), len(prefix))
    found = {i.pk: i for i in Institution.objects.filter(pk__in=nearest)}
    return sorted(found.values(), key=lambda i: (-nearest[i.pk], i.pk))


_CODES: dict[int, str] = {}  # institution id → code, for this process (a code never changes)


def institution_code(pk: int | None) -> str | None:
    """The code of the institution ``pk`` (a loan's or application's lender as the API shows it),
    read once per process."""
    if pk is None:
        return None
    if pk not in _CODES:
        _CODES.update(Institution.objects.values_list("pk", "code"))
    return _CODES.get(pk)


def institutions() -> list[Institution]:
    """Every lending institution of the deployment, by code."""
    return list(Institution.objects.order_by("code"))


def institution_choices(reader, action: str) -> list[Institution]:
    """The institutions whose figures the reader may ask for on their own (a page's 贷款机构
    filter): a bank's staff their own; everyone else every institution."""
    single, lender = access.scope_lender(reader, action)
    rows = institutions()
    return [i for i in rows if i.pk == lender] if single and lender is not None else rows


def institution_for(reader, action: str, code: str | None) -> Institution | None:
    """The institution whose figures the reader gets (a report, the books): the one asked for
    (:func:`institution_pick`), else — for a bank's staff, whose roles are all one institution's —
    their own; None: every institution's."""
    if code:
        return institution_pick(reader, action, code)
    single, lender = access.scope_lender(reader, action)
    return Institution.objects.filter(pk=lender).first() if single and lender is not None else None


def institution_acting(user, action: str, code: str | None, ask: str) -> Institution:
    """The institution a user acts for in ``action`` (a bank's book or month brought in): the one
    of that code among :func:`institution_for`'s (a bank's staff: their own); for the system itself
    (``user`` None, a command without --user) any of that code. ``ask`` says what to choose when
    none is given."""
    if user is None:
        found = Institution.objects.filter(code=code or "").first()
        if found is None and code:
            raise ValidationFailed(f"没有代码为“{code}”的贷款机构", code="institution_not_found")
    else:
        access.require(user, action)
        found = institution_for(user, action, code)
    if found is None:
        raise ValidationFailed(ask, code="institution_required")
    return found


def institution_pick(reader, action: str, code: str | None) -> Institution | None:
    """The institution of that code among :func:`institution_choices`; None for all (no code)."""
    if not code:
        return None
    found = next((i for i in institution_choices(reader, action) if i.code == code), None)
    if found is None:
        raise NotFound("贷款机构不存在或不在您的权限内", code="institution_not_found")
    return found


def lender_choices(user, village: str) -> list[Institution]:
    """The lending institutions the user may send an application in ``village`` to or record a
    household's authorisation for, the default first: a bank's staff their own institution;
    anyone else every institution serving the village, the nearest first (:func:`lenders_of`)."""
    serving = lenders_of(village)
    own = {g.institution for g in access.grants(user) if g.institution is not None and g.covers(village)}
    return [i for i in serving if i.pk in own] or serving


def names(codes: Iterable[str]) -> dict[str, str]:
    """The names of the divisions with these codes (the rows of a list name their villages)."""
    found = compiled.rows(Division, where={"code__in": sorted(set(codes))}, fields=("name",), order=())
    return {d.code: d.name for d in found}


def picker(reader, action: str, levels: tuple[int, ...] = (3, 4, 5), limit: int = 2000) -> list:
    """The divisions of ``levels`` the reader may choose for ``action``, by name in groups
    (:func:`fupin.core.divisions.grouped`; issue 27 (7): no typed codes, no flat list of villages)."""
    rows = list(
        access.visible(reader, Division.objects.filter(level__in=levels), action)
        .order_by("code")
        .values_list("code", "name")[:limit]
    )
    return grouped(rows, township_names(rows))


def township_names(rows: list[tuple[str, str]]) -> dict[str, str]:
    """The names of the townships of the villages among ``rows`` (a village cadre's picker names
    the township it cannot pick)."""
    towns = {c[:9] + "000" for c, _ in rows if c[9:] != "000"}
    return dict(Division.objects.filter(code__in=towns).values_list("code", "name"))

"""Who may do what, where: the one place that answers both questions.

* :func:`may` — may user U take action A (on object O)?
* :func:`visible` — which rows of model M may U see for action A?

A user's *grants* come from their role assignments: each grants the role's actions
(:data:`fupin.accounts.roles.ACTIONS`) within a jurisdiction expressed as division
code prefixes (R-REG-1). A county role covers ``'110101'``, a village role
``'110101001002'``; bank roles cover the divisions their branch (and the branches
under it) serve. An object is in scope when its division code starts with one of
those prefixes; every model that is scoped names that code in ``SCOPE_FIELD``.

A county has several lending institutions (issue 25). A bank role's grant is also bound to its
branch's institution: on a model that names its lender in ``INSTITUTION_FIELD`` (a loan, an
application and what hangs from them) it covers that institution's rows only. County, township
and village roles see every institution's rows in their jurisdiction.

Every view, API endpoint, export and report goes through this module, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from fupin import compiled
from fupin.accounts.roles import ROLES, roles_for
from fupin.core.divisions import institution_of
from fupin.core.errors import NotFound, NotPermitted
from fupin.divisions.models import Branch, Division


@dataclass(frozen=True)
class Grant:
    role: str
    prefixes: tuple[str, ...]
    everywhere: bool = False
    institution: int | None = None  # a bank role's lender: it covers that institution's rows only

    def covers(self, code: str, institution: int | None = None) -> bool:
        """Whether the grant covers division ``code`` — and, for a row that names its lender,
        ``institution``."""
        if self.institution is not None and institution is not None and institution != self.institution:
            return False
        return self.everywhere or any(code.startswith(p) for p in self.prefixes)


def branch_prefixes(branch) -> tuple[str, ...]:
    ids = {branch.pk}
    frontier = {branch.pk}
    while frontier:
        frontier = set(Branch.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return tuple(sorted(set(Division.objects.filter(served_by__in=ids).values_list("prefix", flat=True))))


# (user id, grants stamp, superuser) -> grants, for this process; see fupin.accounts.signals
_GRANTS: dict[tuple[int, str, bool], list[Grant]] = {}
_GRANTS_MAX = 20_000


def grants(user) -> list[Grant]:
    """The user's grants: kept on the user object (once per request) and in this process under
    the user's ``grants_stamp``, which every change of roles or branches renews — so a request
    of a known user costs no query, and a change counts from the next request on."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_fupin_grants", None)
    if cached is not None:
        return cached
    key = (user.pk, user.grants_stamp, user.is_superuser)
    cached = _GRANTS.get(key)
    if cached is None:
        cached = _compute(user)
        if len(_GRANTS) >= _GRANTS_MAX:
            _GRANTS.clear()
        _GRANTS[key] = cached
    user._fupin_grants = cached
    return cached


def _compute(user) -> list[Grant]:
    result: list[Grant] = []
    if user.is_superuser:
        result = [Grant(role=code, prefixes=(), everywhere=True) for code in ROLES if code != "household"]
    else:
        # in the order given (a page lists the roles so, and PostgreSQL returns rows unordered)
        for ra in user.roles.select_related("division", "branch").order_by("pk"):
            if ROLES[ra.role].bank and ra.branch is not None:
                result.append(
                    Grant(
                        role=ra.role,
                        prefixes=branch_prefixes(ra.branch),
                        institution=ra.branch.institution_id,
                    )
                )
            else:
                result.append(Grant(role=ra.role, prefixes=(ra.division.prefix,)))
    return result


def role_over(user, roles: Iterable[str], code: str, institution: int | None = None) -> str | None:
    """The first of ``roles`` the user holds over division ``code`` (for a bank role, at lending
    institution ``institution`` if given), or None."""
    for g in grants(user):
        if g.role in roles and g.covers(code, institution):
            return g.role
    return None


def role_codes(user) -> list[str]:
    seen: list[str] = []
    for g in grants(user):
        if g.role not in seen:
            seen.append(g.role)
    return seen


def scope_code(obj: Model) -> str:
    """The division code of an object: ``SCOPE_ATTR`` (an attribute path that needs no query)
    if the model declares one, else ``SCOPE_FIELD``."""
    field = getattr(type(obj), "SCOPE_ATTR", None) or getattr(type(obj), "SCOPE_FIELD", None)
    if field is None:
        raise TypeError(
            f"{type(obj).__name__} declares no SCOPE_FIELD; it cannot be checked for jurisdiction"
        )
    value = obj
    for part in field.split("__"):
        value = getattr(value, part)
    return str(value or "")


def may(
    user,
    action: str,
    obj: Model | None = None,
    *,
    code: str | None = None,
    institution: int | None = None,
) -> bool:
    """True when one of the user's grants allows ``action`` on ``obj`` (or on division ``code``
    and, for a bank role, lending institution ``institution``)."""
    allowed = roles_for(action)
    target = code if code is not None else (scope_code(obj) if obj is not None else None)
    lender = institution if obj is None else institution_of(obj)
    for g in grants(user):
        if g.role in allowed and (target is None or g.covers(target, lender)):
            return True
    return False


def require(
    user, action: str, obj: Model | None = None, *, code: str | None = None, institution: int | None = None
) -> None:
    """Raise :class:`NotPermitted` unless :func:`may` allows it."""
    if not may(user, action, obj, code=code, institution=institution):
        raise NotPermitted(
            "您没有权限执行此操作，或该对象不在您的辖区内", code="forbidden", details={"action": action}
        )


def scope_prefixes(user, action: str) -> tuple[str, ...] | None:
    """The division code prefixes under which the user may see rows for ``action`` (none
    covered by another); None for everywhere, ``()`` for nowhere."""
    allowed = roles_for(action)
    prefixes: set[str] = set()
    for g in grants(user):
        if g.role not in allowed:
            continue
        if g.everywhere:
            return None
        prefixes.update(g.prefixes)
    return tuple(
        p for p in sorted(prefixes, key=len) if not any(p != q and p.startswith(q) for q in prefixes)
    )


def prefixes_q(prefixes: tuple[str, ...] | None, field: str) -> Q:
    """A filter on ``field`` (a division code column) for codes under ``prefixes`` (as
    :func:`scope_prefixes` gives them)."""
    if prefixes is None:
        return Q()
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for p in prefixes:
        q |= Q(**{f"{field}__startswith": p})
    return q


def scope_q(user, action: str, field: str, institution_field: str | None = None) -> Q:
    """A filter on ``field`` (a division code column) for the rows the user may see; on rows that
    name their lender in ``institution_field``, a bank role's grant covers its institution's only."""
    allowed = roles_for(action)
    bound = [g for g in grants(user) if g.role in allowed]
    if institution_field is None or all(g.institution is None for g in bound):
        return prefixes_q(scope_prefixes(user, action), field)
    q = Q(pk__in=[])
    for g in bound:
        if g.everywhere:
            return Q()
        part = prefixes_q(g.prefixes, field)
        if g.institution is not None:
            part &= Q(**{institution_field: g.institution})
        q |= part
    return q


def scope_lender(user, action: str) -> tuple[bool, int | None]:
    """Whether one lending institution confines all that the user may see for ``action`` —
    (True, its id) when every grant for it is a bank role's of that institution, (True, None) when
    none is a bank role's — or the grants mix (False, None): then :func:`scope_q` says it."""
    lenders = {g.institution for g in grants(user) if g.role in roles_for(action)}
    if len(lenders) == 1:
        return True, next(iter(lenders))
    return not lenders, None


def county_q(user, action: str, field: str) -> Q:
    """A filter on ``field`` (a county's 12-digit code) for county-wide objects — a county's risk
    fund — that everyone whose jurisdiction lies in that county may see for ``action``."""
    allowed = roles_for(action)
    q = Q(pk__in=[])
    for g in grants(user):
        if g.role not in allowed:
            continue
        if g.everywhere:
            return Q()
        for p in g.prefixes:
            q |= Q(**{f"{field}__startswith": p[:6]})
    return q


def visible(user, source: type[Model] | QuerySet, action: str) -> QuerySet:
    """The rows of a model (or queryset) that the user may see for ``action``."""
    qs = source.all() if isinstance(source, QuerySet) else source._default_manager.all()
    return qs.filter(
        scope_q(user, action, _scope_field(qs.model), getattr(qs.model, "INSTITUTION_FIELD", None))
    )


def _scope_field(model: type[Model]) -> str:
    field = getattr(model, "SCOPE_FIELD", None)
    if field is None:
        raise TypeError(f"{model.__name__} declares no SCOPE_FIELD")
    return field


def get_visible(
    user,
    source: type[Model] | QuerySet,
    action: str,
    *,
    related: tuple[str, ...] = (),
    fields: tuple[str, ...] = (),
    **lookup,
) -> Model:
    """One object the user may see; :class:`NotFound` if it does not exist or is out of scope
    (the two are indistinguishable to the client on purpose), :class:`NotPermitted` if the
    user's roles do not allow the action at all. The lookup names one row (a key), so no ordering is
    asked for: a model's default ordering would cost each read its compilation. Given a model, the
    read is a compiled one (:mod:`fupin.compiled`) with the foreign keys ``related`` names joined and
    only the columns ``fields`` names (all if empty)."""
    _require_role(user, action)
    if isinstance(source, QuerySet):
        if related or fields:
            raise TypeError("related and fields are for a model; a queryset says its own")
        return _found(next(iter(visible(user, source, action).filter(**lookup).order_by()[:1]), None))
    lender_field = getattr(source, "INSTITUTION_FIELD", None)
    single, lender = scope_lender(user, action) if lender_field else (True, None)
    if not single or (lender is not None and "__" in lender_field):
        # the grants mix institutions, or the lender is a join away: the queryset says it
        found = visible(user, source, action).filter(**lookup).select_related(*related).order_by()
        return _found(next(iter((found.only(*fields) if fields else found)[:1]), None))
    if lender is not None:
        lookup = {**lookup, lender_field: lender}
    within = (_scope_field(source), scope_prefixes(user, action))
    return _found(
        compiled.first(source, where=lookup, within=within, related=related, fields=fields, order=())
    )


def _require_role(user, action: str) -> None:
    if not any(g.role in roles_for(action) for g in grants(user)):
        raise NotPermitted("您没有权限执行此操作", code="forbidden", details={"action": action})


def _found(obj: Model | None) -> Model:
    if obj is None:
        raise NotFound("对象不存在或不在您的辖区内", code="not_found")
    return obj


def allowed_actions(user, actions: Iterable[str]) -> set[str]:
    return {a for a in actions if may(user, a)}

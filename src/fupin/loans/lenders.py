"""The county's lending institutions as the programme runs them (issue 25): registered by the county
with their head office and coverage; the products each offers and its own approval authority by
amount (R-APP-3), set by the county or by the institution's head office."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core.errors import ValidationFailed
from fupin.core.origination import LADDER
from fupin.core.products import PRESETS
from fupin.divisions.models import Institution
from fupin.divisions.services import branch_create
from fupin.ratings.rules import bands_of

KINDS = dict(Institution.Kind.choices)


def _products(products: list[str]) -> list[str]:
    unknown = sorted(set(products) - set(PRESETS))
    if unknown:
        raise ValidationFailed(f"未知的贷款产品：{'、'.join(unknown)}", code="product_unknown")
    return [p for p in PRESETS if p in products]  # in the catalogue's order


def _yuan(value) -> int | str:
    d = Decimal(str(value).strip())
    return int(d) if d == d.to_integral_value() else str(d)


def _bands(rows: list) -> list:
    """The bands as stored (yuan, as the rules state them: [from, below or None, role]), checked;
    [] for the county's rules. A row left blank is dropped."""
    rows = [r for r in rows if any(str(x or "").strip() for x in r)]
    if not rows:
        return []
    try:
        out = [
            [_yuan(low), None if str(high or "").strip() == "" else _yuan(high), role]
            for low, high, role in rows
        ]
        bands_of({"approval_bands": out})
    except (TypeError, ValueError, IndexError, ArithmeticError):
        raise ValidationFailed(
            "审批权限应为从 0 元起连续的若干档：每档写起点、终点（最后一档不填终点）和审批角色（"
            + "、".join(LADDER)
            + "）",
            code="approval_bands_invalid",
        ) from None
    return out


def institution_register(
    *,
    acting_user,
    code: str,
    name: str,
    short_name: str,
    kind: str,
    county_code: str,
    coverage_codes: list[str],
    products: list[str],
    own_core: bool = False,
) -> Institution:
    """A new lending institution of the county, with its head office serving ``coverage_codes``;
    ``own_core``: it books its loans in its own core system and sends monthly files (issue 25 (3))."""
    access.require(acting_user, "institution.register", code=county_code)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationFailed("请填写机构代码和机构名称", code="institution_incomplete")
    if kind not in KINDS:
        raise ValidationFailed("请选择机构类型", code="institution_kind")
    if not coverage_codes:
        raise ValidationFailed("请选择服务区域（全县或若干乡镇）", code="branch_coverage_missing")
    with transaction.atomic():
        head = branch_create(
            acting_user=acting_user,
            code=code,
            name=name,
            county_code=county_code,
            coverage_codes=coverage_codes,
            short_name=short_name.strip(),
            kind=kind,
        )
        institution = head.institution
        institution.products = _products(products)
        institution.own_core = bool(own_core)
        institution.save(update_fields=["products", "own_core"])
    return institution


def _rates(rates: dict[str, str]) -> dict[str, str]:
    """Its own rates by product, given as percentages ("3.45"), stored as fractions ("0.0345");
    a blank one: the county's preset. Each within its product's ceiling is checked at the contract
    (the LPR of the day)."""
    out = {}
    for code, text in rates.items():
        text = str(text or "").strip().rstrip("%％")
        if not text:
            continue
        if code not in PRESETS:
            raise ValidationFailed(f"未知的贷款产品：{code}", code="product_unknown")
        try:
            d = Decimal(text)
        except ArithmeticError:
            d = Decimal(-1)
        if not d.is_finite() or not 0 < d < 100:
            raise ValidationFailed(
                f"{PRESETS[code].name}的执行年利率“{text}”应为 0–100 之间的百分数，如 3.45",
                code="rate_invalid",
            )
        out[code] = str((d / 100).normalize())
    return out


def institution_configure(
    *,
    acting_user,
    institution: Institution,
    products: list[str],
    approval_bands: list,
    rates: dict[str, str] | None = None,
) -> Institution:
    """The products the institution offers (empty: all), its own annual rate for some of them
    (its version of the product; none: the county's preset) and its approval authority by amount
    (empty: the county's rules)."""
    access.require(acting_user, "institution.manage", code=institution.county_id, institution=institution.pk)
    fields = ("products", "approval_bands", "product_rates")
    before = {f: getattr(institution, f) for f in fields}
    institution.products = _products(products)
    institution.approval_bands = _bands(approval_bands)
    institution.product_rates = _rates(rates or {})
    with transaction.atomic():
        institution.save(update_fields=list(fields))
        audit_record(
            actor=acting_user,
            action="institution.configure",
            obj=institution,
            division_code=institution.county_id,
            before=before,
            after={f: getattr(institution, f) for f in fields},
        )
    return institution

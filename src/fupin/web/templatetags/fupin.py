"""Template filters shared by every app."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen shown as yuan with thousands separators: 123456 → "1,234.56" (exact)."""
    if fen is None or fen == "":
        return ""
    n = int(fen)
    sign = "-" if n < 0 else ""
    whole, cents = divmod(abs(n), 100)
    return mark_safe(f"{sign}{whole:,}.{cents:02d}")  # digits, commas, a point: nothing to escape


@register.filter
def yuan_decimal(amount) -> str:
    """An amount already in yuan (a Decimal, e.g. a credit line) with thousands separators:
    Decimal("30000.00") → "30,000.00"."""
    from decimal import Decimal

    if amount is None or amount == "":
        return ""
    return f"{Decimal(str(amount)):,.2f}"


@register.filter
def percent(rate) -> str:
    """A rate with six decimals shown as a percentage with four: Decimal("0.035519") → "3.5519%"."""
    from decimal import Decimal

    if rate is None or rate == "":
        return ""
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.0001'))}%"


@register.filter
def share(rate) -> str:
    """A configured share (a Fraction or a Decimal) as a short percentage: Fraction(1, 40) → "2.5%"."""
    return "" if rate is None or rate == "" else f"{float(rate) * 100:g}%"


@register.simple_tag
def cell(row: dict, column) -> str:
    """One cell of a report table: money in yuan, percentages with %, dates, numbers right-aligned."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    v = row.get(column.key)
    if v is None or v == "":
        return mark_safe("<td></td>")
    if column.kind == "money":
        return format_html('<td class="num">{}</td>', yuan(v))
    if column.kind == "pct":
        return format_html('<td class="num">{}%</td>', v)
    if column.kind == "date":
        return format_html('<td class="num">{}</td>', v.isoformat())
    if column.kind == "int":
        return format_html('<td class="num">{}</td>', v)
    return format_html("<td>{}</td>", v)

"""Template filters shared by every app."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen shown as yuan with thousands separators: 123456 → "1,234.56" (exact)."""
    if fen is None or fen == "":
        return ""
    n = int(fen)
    sign = "-" if n < 0 else ""
    whole, cents = divmod(abs(n), 100)
    return f"{sign}{whole:,}.{cents:02d}"


@register.filter
def percent(rate) -> str:
    """A rate with six decimals shown as a percentage with four: Decimal("0.035519") → "3.5519%"."""
    from decimal import Decimal

    if rate is None or rate == "":
        return ""
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.0001'))}%"

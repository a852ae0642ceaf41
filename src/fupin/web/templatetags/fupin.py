"""Template filters shared by every app."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from fupin.core.products import PRESETS
from fupin.web.templatetags.kept import url_of

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
    if amount is None or amount == "":
        return ""
    return f"{Decimal(str(amount)):,.2f}"


@register.filter
def percent(rate) -> str:
    """A rate with six decimals shown as a percentage with four: Decimal("0.035519") → "3.5519%"
    (a Fraction too: 9/50 → "18.0000%")."""
    if rate is None or rate == "":
        return ""
    if isinstance(rate, Fraction):
        rate = Decimal(rate.numerator) / Decimal(rate.denominator)
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.0001'))}%"


@register.filter
def rate(value) -> str:
    """A rate (a Fraction or a Decimal) as a percentage with two decimals, ROUND_HALF_UP:
    Fraction(2, 3) → "66.67%"."""
    if value is None or value == "":
        return ""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


@register.filter
def share(rate) -> str:
    """A configured share (a Fraction or a Decimal) as a short percentage: Fraction(1, 40) → "2.5%"."""
    return "" if rate is None or rate == "" else f"{float(rate) * 100:g}%"


@register.simple_tag
def cell(row: dict, column) -> str:
    """One cell of a report table: money in yuan, percentages with %, dates, numbers right-aligned."""

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


# The two longest tables of the pages people open most — a loan's schedule (52 weekly rows) and
# the collection list — written in one pass: as template loops (seven variables, filters, a URL
# a row) they were most of a loan page's rendering (docs/performance.md). Same markup as the loops they
# replace (tests/web/test_row_filters.py renders both and compares); numbers and dates need
# no escaping, the two texts (a contract's and a household's number) are escaped.


@register.filter
def schedule_rows(installments) -> str:
    """A loan's instalments as the rows of its schedule table."""
    return mark_safe(
        "".join(
            f'<tr><td class="num">{i.seq}</td><td class="num">{i.due_date:%Y-%m-%d}</td>'
            f'<td class="num">{yuan(i.principal)}</td><td class="num">{yuan(i.interest)}</td>'
            f'<td class="num">{yuan(i.principal + i.interest)}</td><td '
            f'class="num">{yuan(i.principal_paid + i.interest_paid)}</td>'
            f'<td class="num">{yuan(i.penalty_paid) if i.penalty_paid else ""}</td></tr>'
            for i in installments
        )
    )


@register.filter
def collection_rows(items) -> str:
    """A village's collection items (the batch's list of what is due and overdue) as table rows."""

    return mark_safe(
        "".join(
            f'<tr><td><a href="{url_of("loan_detail", i.loan_id)}">'
            f"{escape(i.loan.contract_no)}</a></td>"
            f"<td>{escape(getattr(i, 'head_name', '') or i.loan.household.registry_no)}"
            f'<br><span class="muted">{escape(i.loan.household.registry_no)}</span></td>'
            f'<td>{escape(getattr(i, "head_phone", ""))}</td><td class="num">{yuan(i.due)}</td>'
            f'<td class="num">{yuan(i.arrears)}</td><td class="num">{i.dpd or ""}</td>'
            f'<td class="num">{yuan(i.received) if getattr(i, "received", 0) else ""}</td><td></td></tr>'
            for i in items
        )
    )


@register.filter
def product_name(code: str) -> str:
    """A product's Chinese name for its code (subsidy → 脱贫人口小额信贷); an unknown code as it is."""
    found = PRESETS.get(code or "")
    return found.name if found is not None else (code or "")


@register.filter
def yuan_plain(fen) -> str:
    """Integer fen as yuan an input takes back: 123456 → "1234.56" (no separators)."""
    if fen is None or fen == "":
        return ""
    n = int(fen)
    return f"{'-' if n < 0 else ''}{abs(n) // 100}.{abs(n) % 100:02d}"

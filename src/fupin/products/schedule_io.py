"""Reading ``fupin schedule`` options into terms, and writing a schedule as the JSON
contract or a Chinese table. Thin: all the computing is in ``fupin.core``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fupin.core.apr import Disclosure
from fupin.core.errors import ValidationFailed
from fupin.core.money import fmt, money, rate, to_fen
from fupin.core.products import Preset
from fupin.core.schedule import Schedule, Terms
from fupin.core.schedule.terms import BASES, FREQUENCIES, SHAPES, TERM_UNITS
from fupin.products import benchmarks


def parse_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            f"{field}“{value}”不是有效日期，格式应为 YYYY-MM-DD", code="date_invalid"
        ) from None


def parse_int(value: str | None, field: str, *, minimum: int = 0) -> int | None:
    if value is None:
        return None
    try:
        n = int(value)
    except ValueError:
        raise ValidationFailed(f"{field}“{value}”必须是整数", code="int_invalid") from None
    if n < minimum:
        raise ValidationFailed(f"{field}不能小于 {minimum}", code="int_range")
    return n


def choice(value: str | None, options: dict[str, str], field: str) -> str | None:
    if value is not None and value not in options:
        raise ValidationFailed(f"未知的{field}“{value}”，可选：{'、'.join(options)}", code="choice_invalid")
    return value


def terms_from_options(preset: Preset, o: dict[str, Any]) -> Terms:
    principal = money(o["principal"], field="本金")
    if principal <= 0:
        raise ValidationFailed(f"本金必须大于零，收到 {o['principal']}", code="principal_not_positive")
    unit = o.get("installment_multiple")
    overrides = dict(
        annual_rate=rate(o["rate"], field="年利率") if o.get("rate") is not None else None,
        term=parse_int(o.get("term"), "期限", minimum=1),
        term_unit=choice(o.get("term_unit"), TERM_UNITS, "期限单位"),
        shape=choice(o.get("shape"), SHAPES, "还款方式"),
        frequency=choice(o.get("frequency"), FREQUENCIES, "还款频率"),
        interest_basis=choice(o.get("interest_basis"), BASES, "计息基础"),
        rounding=choice(o.get("rounding"), {"half_up": "", "half_even": ""}, "舍入方式"),
        installment_multiple=to_fen(money(unit, field="取整单位")) if unit is not None else None,
        principal_grace=parse_int(o.get("principal_grace"), "宽限期数"),
        settlement_day=parse_int(o.get("settlement_day"), "结息日", minimum=1),
        holiday_shift=choice(o.get("holiday_shift"), {"none": "", "next": ""}, "节假日规则"),
    )
    start = parse_date(o["start"], "放款日")
    lpr = benchmarks.in_force(start, optional=True)  # the LPR in force that day, where there is a database
    terms = preset.terms(principal=to_fen(principal), start=start, benchmark=lpr, **overrides)
    terms.check()
    return terms


def schedule_json(product: str, s: Schedule, d: Disclosure) -> dict[str, Any]:
    rows = []
    for k in range(len(s)):
        p, i, f = s.principal[k], s.interest[k], s.fees[k]
        rows.append(
            {
                "seq": k + 1,
                "due_date": s.due_dates[k].isoformat(),
                "principal": fmt(p),
                "interest": fmt(i),
                "fees": fmt(f),
                "total": fmt(p + i + f),
                "balance": fmt(s.balance[k]),
            }
        )
    return {
        "product": product,
        "principal": fmt(s.terms.principal),
        "nominal_rate": str(d.nominal),
        "apr": str(d.apr),
        "ear": str(d.ear),
        "disbursement_date": s.terms.start.isoformat(),
        "upfront": {
            "interest": fmt(s.upfront_interest),
            "fees": fmt(s.upfront_fees),
            "deposit": fmt(s.deposit),
        },
        "installments": rows,
        "totals": {
            "principal": fmt(sum(s.principal)),
            "interest": fmt(s.total_interest),
            "fees": fmt(sum(s.fees) + s.upfront_fees),
        },
    }


def pct(x) -> str:
    return f"{x * 100:.4f}%"


def schedule_table(preset: Preset, s: Schedule, d: Disclosure) -> str:
    t = s.terms
    lines = [
        f"产品：{preset.name}（{preset.code}，版本 {preset.version}，{preset.rules}）",
        f"本金：{fmt(t.principal)} 元    放款日：{t.start}    到期日：{s.maturity}    期数：{len(s)}",
        f"还款方式：{SHAPES[t.shape]}    频率：{FREQUENCIES[t.frequency]}    计息：{BASES[t.interest_basis]}",
        f"名义年利率：{pct(d.nominal)}    年化利率（IRR法，APR）：{pct(d.apr)}    实际年利率（EAR）"
        f"：{pct(d.ear)}",
        f"放款时收取：利息 {fmt(s.upfront_interest)}  费用 {fmt(s.upfront_fees)}  保证金 {fmt(s.deposit)}"
        + ("（到期退还或抵扣本金）" if s.deposit else ""),
        "",
        f"{'期次':>4} {'还款日':>10} {'本金':>12} {'利息':>10} {'费用':>8} {'合计':>12} {'剩余本金':>12}",
    ]
    for k in range(len(s)):
        p, i, f = s.principal[k], s.interest[k], s.fees[k]
        lines.append(
            f"{k + 1:>6} {s.due_dates[k]!s:>13} {fmt(p):>14} {fmt(i):>12} {fmt(f):>10} "
            f"{fmt(p + i + f):>14} {fmt(s.balance[k]):>16}"
        )
    lines.append(
        f"{'合计':>4} {'':>13} {fmt(sum(s.principal)):>14} {fmt(sum(s.interest)):>12} {fmt(sum(s.fees)):>10} "
        f"{fmt(sum(s.principal) + sum(s.interest) + sum(s.fees)):>14}"
    )
    lines.append(f"利息合计（含放款时预收）：{fmt(s.total_interest)} 元")
    lines.extend(f"注：{n}" for n in s.notes)
    return "\n".join(lines)

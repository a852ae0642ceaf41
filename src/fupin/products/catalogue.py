"""The loan products as an integrator reads them (issue 26 (4)): each preset with its version, its
limits, its default terms — rate (the LPR in force for the LPR products), day count, holiday rule,
shape, frequency, fees — and the lenders that offer it, each with its own version where it lends at
a rate of its own (:attr:`fupin.divisions.models.Institution.product_rates`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from fupin.core.errors import ValidationFailed
from fupin.core.products import ONE_YEAR_LPR, PRESETS, Preset
from fupin.divisions.models import Institution
from fupin.products import benchmarks


def _dec(f: Fraction | None) -> Decimal | None:
    return (
        None if f is None else (Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal("0.000001"))
    )


def _rate_basis(p: Preset) -> str:
    if p.rate_by_term:
        return "lpr_by_term"  # the one-year LPR up to 12 months, the five-year beyond
    return (
        "lpr_1y"
        if p.defaults.get("annual_rate") == ONE_YEAR_LPR
        else "fixed"
        if "annual_rate" in p.defaults
        else "agreed"
    )


def catalogue(on: dt.date) -> list[dict]:
    """Every product as it stands on ``on``."""
    lpr = benchmarks.in_force(on)
    lenders = list(Institution.objects.order_by("code"))
    out = []
    for p in PRESETS.values():
        b = p.bounds
        try:
            terms = p.terms(principal=b.min_amount, start=on, benchmark=lpr)
        except ValidationFailed:  # no defaults to speak of (a custom product's terms are agreed)
            terms = None
        rate = p.default_rate(terms.term if terms else 12, terms.term_unit if terms else "month", lpr)
        out.append(
            {
                "code": p.code,
                "name": p.name,
                "version": p.version,
                "rules": p.rules,
                "rate_basis": _rate_basis(p),
                "annual_rate": _dec(rate),
                "stated_rate": _dec(p.stated_rate),
                "benchmark": {
                    "effective": lpr.effective,
                    "one_year": _dec(lpr.one_year),
                    "five_year": _dec(lpr.five_year),
                },
                "min_amount": b.min_amount,
                "max_amount": b.max_amount,
                "term": terms.term if terms else None,
                "term_unit": terms.term_unit if terms else b.term_unit,
                "min_term": b.min_term,
                "max_term": b.max_term,
                "allowed_terms": list(b.allowed_terms),
                "lpr_ceiling": b.lpr_ceiling,
                "day_count": terms.interest_basis if terms else None,
                "holiday_shift": terms.holiday_shift if terms else p.defaults.get("holiday_shift"),
                "shape": terms.shape if terms else p.defaults.get("shape"),
                "frequency": terms.frequency if terms else p.defaults.get("frequency"),
                "settlement_day": terms.settlement_day if terms else None,
                "upfront_fee_rate": _dec(terms.upfront_fee_rate) if terms else None,
                "deposit_rate": _dec(terms.deposit_rate) if terms else None,
                "guarantors": p.guarantors,
                "prepayment": list(p.prepayment),
                "lenders": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "version": f"{p.version}/{i.code}" if i.rate_of(p.code) is not None else p.version,
                        "annual_rate": _dec(i.rate_of(p.code))
                        if i.rate_of(p.code) is not None
                        else _dec(rate),
                    }
                    for i in lenders
                    if i.offers(p.code)
                ],
            }
        )
    return out

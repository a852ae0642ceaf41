"""The product catalogue over the API (issue 26 (4)): every product with its version, limits, rate
(the LPR in force for the LPR products), day count, holiday rule and shape, and the lenders offering
it, each with its own version where it lends at its own rate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.core.products import PRESETS
from fupin.divisions.models import Institution
from fupin.products import benchmarks

pytestmark = [pytest.mark.sqlite]


def test_the_catalogue_lists_every_product_with_its_terms_and_lenders(world):
    Institution.objects.filter(code="ABC000").update(product_rates={"annual": "0.0285"})
    r = world.client("loan_officer").get("/api/v1/products")
    assert r.status_code == 200
    got = {p["code"]: p for p in r.json()}
    assert set(got) == set(PRESETS)
    lpr = benchmarks.in_force(timezone.localdate())
    annual = got["annual"]
    assert (annual["rate_basis"], Decimal(annual["annual_rate"])) == (
        "lpr_1y",
        Decimal(lpr.one_year.numerator) / lpr.one_year.denominator,
    )
    assert (annual["min_amount"], annual["max_amount"], annual["allowed_terms"]) == (
        "1000.00",
        "10000.00",
        [12],
    )
    assert (annual["day_count"], annual["holiday_shift"], annual["frequency"]) == (
        "act360",
        "next",
        "quarterly",
    )
    assert annual["lpr_ceiling"] is True and annual["benchmark"]["effective"] == str(lpr.effective)
    lenders = {x["code"]: x for x in annual["lenders"]}
    assert lenders["ABC000"]["version"] == "2026.1/ABC000" and Decimal(
        lenders["ABC000"]["annual_rate"]
    ) == Decimal("0.0285")
    assert (
        lenders["FM000"]["version"] == "2026.1" and lenders["FM000"]["annual_rate"] == annual["annual_rate"]
    )
    group = got["group"]
    assert (group["frequency"], group["allowed_terms"], Decimal(group["stated_rate"])) == (
        "weekly",
        [12],
        Decimal("0.18"),
    )
    assert "PSBC00" not in {x["code"] for x in group["lenders"]}  # the postal bank offers two products only
    assert got["subsidy"]["rate_basis"] == "lpr_by_term" and got["seasonal"]["guarantors"] == 1
    assert got["custom"]["rate_basis"] == "agreed" and got["custom"]["max_amount"] is None
    assert world.client("household").get("/api/v1/products").status_code == 403

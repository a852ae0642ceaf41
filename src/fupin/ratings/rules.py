"""A county programme's stored rules (RuleSet.definition) as the core's values (R-ELG-5, R-RAT-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from fupin.core.eligibility import EXCLUSIONS, Rules
from fupin.core.rating import VillageThresholds

PROGRAMME = "xiaoedaikuan"
# Preset: 篇3 income line, 篇8 age limit, 篇2/脱贫人口小额信贷 statuses; credit village 80 % rated, 98 %.
PRESET = {
    "statuses": ["poor", "low_income", "monitored", "lifted"],
    "income_line": "2500",
    "min_age": 18,
    "max_age": 60,
    "require_labour": True,
    "require_rating": True,
    "exclusions": sorted(EXCLUSIONS),
    "credit_village": {"min_rated_share": "0.8", "min_repayment_rate": "0.98", "max_defaults": 0, "validity_years": 2},
}


def rules_of(programme: str, version: int, effective: dt.date, d: dict) -> Rules:
    line = d.get("income_line")
    years = d.get("registry_years")
    return Rules(
        programme=programme, version=str(version), effective=effective,
        statuses=frozenset(d.get("statuses", PRESET["statuses"])),
        registry_years=tuple(years) if years else None,  # type: ignore[arg-type]
        income_line=Decimal(str(line)) if line not in (None, "") else None,
        min_age=int(d.get("min_age", 18)), max_age=int(d.get("max_age", 60)),
        require_labour=bool(d.get("require_labour", True)),
        require_project=False,  # the project is chosen on the application (issue 6), not before
        require_rating=bool(d.get("require_rating", True)),
        exclusions=frozenset(d.get("exclusions", EXCLUSIONS)),
    )


def thresholds_of(d: dict) -> VillageThresholds:
    c = d.get("credit_village", PRESET["credit_village"])
    return VillageThresholds(
        min_rated_share=Fraction(str(c["min_rated_share"])), min_repayment_rate=Fraction(str(c["min_repayment_rate"])),
        max_defaults=int(c["max_defaults"]), validity_years=int(c["validity_years"]),
    )

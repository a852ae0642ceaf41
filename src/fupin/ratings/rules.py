"""A county programme's stored rules (RuleSet.definition) as the core's values (R-ELG-5, R-RAT-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from fupin.core import provisioning
from fupin.core.eligibility import EXCLUSIONS, Rules
from fupin.core.errors import ProblemList, ValidationFailed
from fupin.core.origination import LADDER, Band, GroupRules
from fupin.core.rating import VillageThresholds
from fupin.core.servicing import DEFAULT_ORDER

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
    "credit_village": {
        "min_rated_share": "0.8",
        "min_repayment_rate": "0.98",
        "max_defaults": 0,
        "validity_years": 2,
    },
    # R-APP-3 (篇1): [from yuan, below yuan or null, role]
    "approval_bands": [
        [0, 30000, "loan_officer"],
        [30000, 40000, "branch_director"],
        [40000, None, "head_office"],
    ],
    "group_size": [5, 5],  # R-GRP-1: five households; a programme may set 3–10
    "group_ceiling": 50000,  # P-GROUP (篇1): what a group may owe together, yuan; null for none
    "penalty_uplift": "0.5",  # R-REP-2: penalty rate = contract rate × (1 + uplift), PBoC 0.3–0.5
    "default_days": 90,  # R-RAT-4: overdue beyond this many days is a default (grade to the bottom)
    # issue 24 (13): past this many days a loan stops accruing (非应计); its interest is off balance
    "guarantee_limit": 2,  # issue 24 (11): loans one person may guarantee at a time
    "non_accrual_days": 90,
    # and a payment on such a loan is allocated in this order (R-REP-1's buckets; preset: the usual)
    "non_accrual_order": list(DEFAULT_ORDER),
    "notice_days": 7,  # R-APP-2 (篇2 §4): the public notice runs this many days from the day it is published
    # 贷款损失准备 by 五级分类 (issue 24 (12), core.provisioning): the share of the principal owed set aside
    "provision_rates": {
        "normal": "0.01",
        "special": "0.02",
        "substandard": "0.25",
        "doubtful": "0.5",
        "loss": "1",
    },
}


STATUSES = ("poor", "low_income", "monitored", "lifted", "none")


def check(d: object) -> dict:
    """A programme's rules as stored, checked; every problem is listed (422)."""
    problems = ProblemList()
    if not isinstance(d, dict):
        raise ValidationFailed("规则应为 JSON 对象", code="rules_invalid")
    out = {**PRESET, **d}
    statuses = out["statuses"]
    if not isinstance(statuses, list) or not statuses or any(x not in STATUSES for x in statuses):
        problems.add(f"statuses 应为以下户类型的列表：{'、'.join(STATUSES)}", field="statuses")
    line = out.get("income_line")
    if line not in (None, ""):
        try:
            if isinstance(line, (bool, float)) or not 0 < Decimal(str(line)) < 10**7:
                raise ValueError
        except (ValueError, ArithmeticError):
            problems.add("income_line 应为正数（元），不设收入线时写 null", field="income_line")
    ages = []
    for key in ("min_age", "max_age"):
        v = out.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or not 16 <= v <= 80:
            problems.add(f"{key} 应为 16–80 的整数", field=key)
        else:
            ages.append(v)
    if len(ages) == 2 and ages[0] > ages[1]:
        problems.add("min_age 不能大于 max_age", field="min_age")
    for key in ("require_labour", "require_rating"):
        if not isinstance(out.get(key), bool):
            problems.add(f"{key} 应为 true 或 false", field=key)
    ex = out.get("exclusions")
    if not isinstance(ex, list) or any(x not in EXCLUSIONS for x in ex):
        problems.add("exclusions 应为不予授信情形代码的列表：" + "、".join(EXCLUSIONS), field="exclusions")
    cv = out.get("credit_village")
    try:
        thresholds_of({"credit_village": cv})
        if not (
            0 <= Fraction(str(cv["min_rated_share"])) <= 1
            and 0 <= Fraction(str(cv["min_repayment_rate"])) <= 1
            and 0 <= int(cv["max_defaults"])
            and 1 <= int(cv["validity_years"]) <= 10
        ):
            raise ValueError
    except (TypeError, KeyError, ValueError, ZeroDivisionError):
        problems.add(
            "credit_village 应含 min_rated_share、min_repayment_rate（0–1）、max_defaults（≥0）、"
            "validity_years（1–10）",
            field="credit_village",
        )
    try:
        bands_of(out)
    except (TypeError, ValueError, IndexError):
        problems.add(
            "approval_bands 应为从 0 元起连续的 [起点元, 终点元或 null, 角色] 列表，角色为 "
            + "、".join(LADDER),
            field="approval_bands",
        )
    try:
        group_rules_of(out)
    except (TypeError, ValueError):
        problems.add(
            "group_size 应为 [最少户数, 最多户数]，在 3–10 之间；group_ceiling 应为正数（元）或 null",
            field="group_size",
        )
    try:
        servicing_of(out)
    except (TypeError, ValueError, ArithmeticError):
        problems.add(
            "penalty_uplift 应为 0.3–0.5 之间的小数，default_days 应为 1–720 的整数天数",
            field="penalty_uplift",
        )
    try:
        non_accrual_days_of(out)
    except (TypeError, ValueError):
        problems.add(
            f"non_accrual_days 应为 {NON_ACCRUAL_DAYS[0]}–{NON_ACCRUAL_DAYS[1]} 的整数天数",
            field="non_accrual_days",
        )
    try:
        guarantee_limit_of(out)
    except (TypeError, ValueError):
        problems.add("guarantee_limit 应为 1–10 的整数（一人同时担保的贷款笔数）", field="guarantee_limit")
    try:
        non_accrual_order_of(out)
    except (TypeError, ValueError):
        problems.add(
            f"non_accrual_order 应为以下各项的一种排列：{'、'.join(DEFAULT_ORDER)}", field="non_accrual_order"
        )
    try:
        notice_days_of(out)
    except (TypeError, ValueError):
        problems.add(f"notice_days 应为 {NOTICE_DAYS[0]}–{NOTICE_DAYS[1]} 的整数天数", field="notice_days")
    try:
        provision_rates_of(out)
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        problems.add(
            "provision_rates 应为五级分类（normal、special、substandard、doubtful、loss）各自的计提比例，"
            "0–1 之间，且随风险升高不减",
            field="provision_rates",
        )
    problems.raise_if_any("准入规则有误", code="rules_invalid")
    return out


NOTICE_DAYS = (5, 30)


def notice_days_of(d: dict) -> int:
    """How many days a public notice runs (R-APP-2: 7 by default; a programme may set 5–30)."""
    days = d.get("notice_days", PRESET["notice_days"])
    if isinstance(days, bool) or not isinstance(days, int) or not NOTICE_DAYS[0] <= days <= NOTICE_DAYS[1]:
        raise ValueError
    return days


NON_ACCRUAL_DAYS = (30, 360)


def non_accrual_days_of(d: dict) -> int:
    """Days past due after which a loan is non-accrual (issue 24 (13): 90 by default, as the
    regulator's rule for interest receivable; a programme may set 30–360)."""
    days = d.get("non_accrual_days", PRESET["non_accrual_days"])
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not NON_ACCRUAL_DAYS[0] <= days <= NON_ACCRUAL_DAYS[1]
    ):
        raise ValueError
    return days


def guarantee_limit_of(d: dict) -> int:
    """How many loans one person may guarantee at a time (issue 24 (11): 2 by default, 1–10)."""
    n = d.get("guarantee_limit", PRESET["guarantee_limit"])
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10:
        raise ValueError
    return n


def non_accrual_order_of(d: dict) -> tuple[str, ...]:
    """The allocation order (R-REP-1) of a payment on a non-accrual loan (issue 24 (13))."""
    order = d.get("non_accrual_order", PRESET["non_accrual_order"])
    if not isinstance(order, list) or sorted(order) != sorted(DEFAULT_ORDER):
        raise ValueError
    return tuple(order)


def provision_rates_of(d: dict) -> dict[str, Fraction]:
    """The loan-loss provision rates by class (issue 24 (12))."""
    return provisioning.rates_of(d.get("provision_rates", PRESET["provision_rates"]))


def servicing_of(d: dict) -> tuple[Decimal, int]:
    """The penalty uplift (R-REP-2, PBoC: +30 % … +50 %) and the days past due that make a
    default (R-RAT-4)."""
    uplift = Decimal(str(d.get("penalty_uplift", PRESET["penalty_uplift"])))
    days = d.get("default_days", PRESET["default_days"])
    if not Decimal("0.3") <= uplift <= Decimal("0.5") or isinstance(days, bool) or not 1 <= int(days) <= 720:
        raise ValueError
    return uplift, int(days)


def bands_of(d: dict) -> tuple[Band, ...]:
    """Approval bands (R-APP-3) from the rules, in fen; contiguous from zero, last one open."""
    rows = d.get("approval_bands", PRESET["approval_bands"])
    bands = []
    expected = 0
    for i, (low, high, role) in enumerate(rows):
        low_fen = int(Decimal(str(low)) * 100)
        high_fen = None if high is None else int(Decimal(str(high)) * 100)
        if role not in LADDER or low_fen != expected or (high_fen is not None and high_fen <= low_fen):
            raise ValueError
        if high_fen is None and i != len(rows) - 1:
            raise ValueError
        bands.append(Band(low_fen, high_fen, role))
        expected = high_fen if high_fen is not None else -1
    if not bands or bands[-1].high is not None:
        raise ValueError
    return tuple(bands)


def group_rules_of(d: dict) -> GroupRules:
    lo, hi = d.get("group_size", PRESET["group_size"])
    if isinstance(lo, bool) or isinstance(hi, bool) or not (3 <= int(lo) <= int(hi) <= 10):
        raise ValueError
    ceiling = d.get("group_ceiling", PRESET["group_ceiling"])
    if ceiling is not None and (isinstance(ceiling, (bool, float)) or not 0 < Decimal(str(ceiling)) < 10**8):
        raise ValueError
    return GroupRules(int(lo), int(hi), None if ceiling is None else int(Decimal(str(ceiling)) * 100))


def rules_of(programme: str, version: int, effective: dt.date, d: dict) -> Rules:
    line = d.get("income_line")
    years = d.get("registry_years")
    return Rules(
        programme=programme,
        version=str(version),
        effective=effective,
        statuses=frozenset(d.get("statuses", PRESET["statuses"])),
        registry_years=tuple(years) if years else None,  # type: ignore[arg-type]
        income_line=Decimal(str(line)) if line not in (None, "") else None,
        min_age=int(d.get("min_age", 18)),
        max_age=int(d.get("max_age", 60)),
        require_labour=bool(d.get("require_labour", True)),
        require_project=False,  # the project is chosen on the application (issue 6), not before
        require_rating=bool(d.get("require_rating", True)),
        exclusions=frozenset(d.get("exclusions", EXCLUSIONS)),
    )


def thresholds_of(d: dict) -> VillageThresholds:
    c = d.get("credit_village", PRESET["credit_village"])
    return VillageThresholds(
        min_rated_share=Fraction(str(c["min_rated_share"])),
        min_repayment_rate=Fraction(str(c["min_repayment_rate"])),
        max_defaults=int(c["max_defaults"]),
        validity_years=int(c["validity_years"]),
    )

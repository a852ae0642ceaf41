"""Eligibility for programme loans (DOMAIN §2: R-ELG-1 … R-ELG-5).

:func:`evaluate` returns **every** rule a borrower fails, each with its rule id and a
Chinese explanation (R-ELG-4) — never only the first. Rules are versioned per programme
and a loan is judged by the version in force on its application date (R-ELG-5,
:func:`rules_in_force`). Exclusions (R-ELG-2, R-ELG-2a) are recorded facts — who recorded
them and why — not free-text judgements: :class:`Exclusion`.

This module is pure: the registry, ratings and loans apps turn their rows into an
:class:`Applicant`; the UI and applications show the failures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from fupin.core.idcard import age_on

# R-ELG-2 (篇3) and R-ELG-2a (a county's longer negative list): code -> (rule id, Chinese)
EXCLUSIONS: dict[str, tuple[str, str]] = {
    "heavy_debt": ("R-ELG-2", "负债过重或家中无劳动年龄人口"),
    "no_project": ("R-ELG-2", "没有合适的生产项目"),
    "refuses_obligations": ("R-ELG-2", "拒不履行集体义务"),
    "idle": ("R-ELG-2", "好逸恶劳"),
    "previous_loan_unpaid": ("R-ELG-2", "以前的小额贷款未还或逾期"),
    "lends_on": ("R-ELG-2b", "把贷款转借他人使用（套用、冒名），违反“户借、户用、户还”"),
    "deliberate_arrears": ("R-ELG-2a", "恶意拖欠贷款本息"),
    "criminal_record": ("R-ELG-2a", "有犯罪记录"),
    "gambling_drugs": ("R-ELG-2a", "有赌博、吸毒等不良行为"),
    "illness_no_labour": ("R-ELG-2a", "长期患病或残疾且无劳动能力"),
    "illegal_fundraising": ("R-ELG-2a", "参与非法集资或涉黑涉恶"),
    "debt_ratio": ("R-ELG-2a", "资产负债率超过 60%"),
    "unsettled_microloan": ("R-ELG-2a", "有未结清的扶贫小额信贷"),
    "court_enforcement": ("R-ELG-2a", "被法院列为被执行人"),
    "family_bad_credit": ("R-ELG-2a", "家庭成员有不良信用记录"),
    "bad_guarantee": ("R-ELG-2a", "对外担保贷款出现不良"),
}


@dataclass(frozen=True)
class Exclusion:
    """A recorded exclusion fact: what, who recorded it, why, and from when (R-ELG-2)."""

    code: str
    recorded_by: str
    reason: str
    recorded_on: dt.date
    withdrawn_on: dt.date | None = None

    def active(self, on: dt.date) -> bool:
        return self.recorded_on <= on and (self.withdrawn_on is None or on < self.withdrawn_on)


@dataclass(frozen=True)
class Rules:
    """One version of a programme's eligibility rules (R-ELG-5); presets from the seed."""

    programme: str
    version: str
    effective: dt.date
    statuses: frozenset[str] = frozenset({"poor", "low_income", "monitored"})  # 篇2, 脱贫人口小额信贷
    registry_years: tuple[int, int] | None = None  # e.g. (2014, 2020): registered in these years
    income_line: Decimal | None = Decimal("2500")  # 篇3: per-capita net income below this
    min_age: int = 18
    max_age: int = 60  # 篇8; other counties 65 (R-ELG-2b)
    require_labour: bool = True
    require_project: bool = True
    require_rating: bool = True
    exclusions: frozenset[str] = frozenset(EXCLUSIONS)  # which recorded facts exclude


@dataclass(frozen=True)
class Applicant:
    status: str  # registry status code
    registry_year: int | None
    income_per_capita: Decimal | None
    borrower_birth: dt.date
    full_civil_capacity: bool
    borrower_labour: str  # full | weak | none
    project: str  # the chosen productive project ("" when none)
    unpaid_or_late_microloan: bool
    bad_credit_record: bool
    rated: bool
    credit_line: Decimal
    exclusions: tuple[Exclusion, ...] = ()
    lead_household: bool = False  # non-poor businesses borrow only as lead households (R-ELG-3)


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str


@dataclass
class Verdict:
    failures: list[Failure] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.failures

    def fail(self, rule: str, message: str) -> None:
        self.failures.append(Failure(rule, message))


STATUS_LABELS = {
    "poor": "建档立卡贫困户",
    "low_income": "低收入户",
    "monitored": "监测户",
    "lifted": "已脱贫户",
    "none": "非建档户",
}


def evaluate(applicant: Applicant, rules: Rules, on: dt.date) -> Verdict:
    """Every rule of ``rules`` that ``applicant`` fails on ``on`` (the application date).

    Worked example: a 62-year-old registered-poor borrower with 3 000 yuan per capita and no
    rating fails R-ELG-1 three times — age above 60, income not below 2 500, not rated.
    """
    v = Verdict()
    a = applicant
    if a.status not in rules.statuses and not a.lead_household:
        allowed = "、".join(STATUS_LABELS.get(s, s) for s in sorted(rules.statuses))
        v.fail("R-ELG-1", f"户类型为“{STATUS_LABELS.get(a.status, a.status)}”，本项目只面向{allowed}")
        if a.status in ("none", "lifted"):
            v.fail("R-ELG-3", "非贫困户只能以带动大户（新型农业经营主体）身份申请带动贷款")
    if rules.registry_years and not a.lead_household:
        lo, hi = rules.registry_years
        if a.registry_year is None or not lo <= a.registry_year <= hi:
            v.fail("R-ELG-1", f"建档年份应在 {lo}–{hi} 年之间（实际：{a.registry_year or '未知'}）")
    if rules.income_line is not None and not a.lead_household:
        if a.income_per_capita is None:
            v.fail("R-ELG-1", "缺少人均纯收入，无法判断是否低于收入线")
        elif a.income_per_capita >= rules.income_line:
            v.fail("R-ELG-1", f"人均纯收入 {a.income_per_capita} 元不低于本项目收入线 {rules.income_line} 元")
    age = age_on(a.borrower_birth, on)
    if not rules.min_age <= age <= rules.max_age:
        v.fail("R-ELG-1", f"借款人年龄 {age} 岁，应在 {rules.min_age}–{rules.max_age} 岁之间")
    if not a.full_civil_capacity:
        v.fail("R-ELG-1", "借款人不具有完全民事行为能力")
    if rules.require_labour and a.borrower_labour == "none":
        v.fail("R-ELG-1", "借款人没有劳动能力")
    if rules.require_project and not a.project.strip():
        v.fail("R-ELG-1", "没有选定的生产经营项目")
    if a.unpaid_or_late_microloan:
        v.fail("R-ELG-1", "有未还清或逾期的小额贷款")
    if a.bad_credit_record:
        v.fail("R-ELG-1", "有不良信用记录")
    if rules.require_rating and (not a.rated or a.credit_line <= 0):
        v.fail("R-ELG-1", "尚未评级授信或没有授信额度")
    for e in a.exclusions:
        if e.code in rules.exclusions and e.active(on):
            rule, label = EXCLUSIONS.get(e.code, ("R-ELG-2a", e.code))
            v.fail(rule, f"{label}（{e.recorded_on:%Y-%m-%d} 由{e.recorded_by}记录：{e.reason}）")
    return v


def rules_in_force(versions: Iterable[Rules], programme: str, on: dt.date) -> Rules:
    """The version of ``programme``'s rules in force on ``on`` (R-ELG-5): the latest one whose
    effective date is not after ``on``."""
    candidates = [r for r in versions if r.programme == programme and r.effective <= on]
    if not candidates:
        raise LookupError(f"项目“{programme}”在 {on} 没有生效的准入规则")
    return max(candidates, key=lambda r: r.effective)

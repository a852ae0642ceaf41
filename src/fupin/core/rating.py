"""Credit rating (评级授信, DOMAIN §3): scorecards, panel aggregation, grades, credit lines,
and the dynamic grade steps the nightly batch applies.

* A scorecard (R-RAT-1, 1a) has items; each scores a value one of three ways: by **range**
  (value in [lo, hi) → points), by **option** (a choice → points) or by **formula**
  (points = (value − standard) ÷ step × points-per-step, added to a base, clamped to
  [floor, cap]). The total picks a grade (score ranges with a coefficient); the credit line
  is the grade's base line (× coefficient when configured, plus shares of assets or
  business income), capped by the programme (R-RAT-2).
* Back-to-back review (R-RAT-1b): panel members score alone; :func:`aggregate` combines
  their totals (mean, median or trimmed mean), reports the spread and flags outliers.
* The village panel (R-RAT-3) may sign only when villager representatives are at least
  2/5 of it: :func:`panel_problems`.
* Dynamic grades (R-RAT-4): :func:`next_grade`.

Scorecards are versioned data; a rating keeps the version it was made with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Literal, cast

from fupin.core.errors import ProblemList, ValidationFailed

Method = Literal["range", "option", "formula"]


@dataclass(frozen=True)
class Band:
    lo: Decimal | None  # inclusive; None = no lower bound
    hi: Decimal | None  # exclusive; None = no upper bound
    points: Decimal


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    method: Method
    max_points: Decimal
    bands: tuple[Band, ...] = ()  # range
    options: Mapping[str, Decimal] = field(default_factory=dict)  # option
    standard: Decimal = Decimal(0)  # formula
    step: Decimal = Decimal(1)
    per_step: Decimal = Decimal(0)
    base: Decimal = Decimal(0)
    floor: Decimal = Decimal(0)
    min_value: Decimal | None = None  # formula: values below are refused (the item's bounds)
    max_value: Decimal | None = None
    source: str = ""  # a registry fact that prefills the value (SOURCES)

    def score(self, value: object) -> Decimal:
        """Points for ``value``; a value the item cannot score is refused in Chinese."""
        if self.method == "option":
            if value not in self.options:
                raise ValidationFailed(
                    f"“{self.label}”没有选项“{value}”，可选：{'、'.join(self.options)}", code="rating_option"
                )
            return self.options[str(value)]
        x = _number(value, self.label)
        if (self.min_value is not None and x < self.min_value) or (
            self.max_value is not None and x > self.max_value
        ):
            raise ValidationFailed(
                f"“{self.label}”的值 {x} 超出允许范围 {_span(self.min_value, self.max_value)}",
                code="rating_bounds",
            )
        if self.method == "range":
            for b in self.bands:
                if (b.lo is None or x >= b.lo) and (b.hi is None or x < b.hi):
                    return b.points
            raise ValidationFailed(f"“{self.label}”的值 {x} 不在任何评分区间内", code="rating_range")
        points = self.base + (x - self.standard) / self.step * self.per_step
        return min(max(points, self.floor), self.max_points).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    min_score: Decimal  # inclusive
    base_line: Decimal  # yuan
    coefficient: Decimal = Decimal(1)


Aggregation = Literal["mean", "median", "trimmed_mean"]
AGGREGATIONS: dict[str, str] = {
    "mean": "平均分",
    "median": "中位数",
    "trimmed_mean": "去掉最高最低后的平均分",
}


@dataclass(frozen=True)
class Sheet:
    """One panel member's scored sheet: the values given, each item's points, the total."""

    values: dict[str, str]
    points: dict[str, Decimal]
    total: Decimal


@dataclass(frozen=True)
class Scorecard:
    code: str
    version: str
    items: tuple[Item, ...]
    grades: tuple[Grade, ...]  # any order; the highest min_score reached wins
    cap: Decimal  # the programme's ceiling on a credit line
    use_coefficient: bool = False
    asset_share: Decimal = Decimal(0)  # credit line += share × assets
    income_share: Decimal = Decimal(0)  # credit line += share × business income
    unrated_line: Decimal = Decimal(0)  # line of a household below every grade (篇2: 未授信 500–1 000)
    aggregation: Aggregation = "mean"
    outlier_points: Decimal = Decimal(15)
    term_months: int = 12  # how long a granted line may be drawn (篇8: 3 years)
    validity_months: int = 12  # a rating is redone after this

    def score_sheet(self, values: Mapping[str, object]) -> Sheet:
        """Score one member's values for every item (R-RAT-1a); every problem is reported at
        once: a missing item, an unknown item, a value outside the item's bounds or bands."""
        problems = ProblemList()
        points: dict[str, Decimal] = {}
        for item in self.items:
            if item.code not in values or values[item.code] in (None, ""):
                problems.add(f"缺少“{item.label}”的评分", field=item.code)
                continue
            try:
                points[item.code] = item.score(values[item.code])
            except ValidationFailed as e:
                problems.add(e.message, field=item.code, value=str(values[item.code]))
        known = {i.code for i in self.items}
        for code in values:
            if code not in known:
                problems.add(f"评分表没有指标“{code}”", field=code)
        problems.raise_if_any("评分有误", code="rating_scores")
        return Sheet({k: str(values[k]) for k in known}, points, sum(points.values(), Decimal(0)))

    @property
    def max_total(self) -> Decimal:
        return sum((i.max_points for i in self.items), Decimal(0))

    def ladder(self) -> list[str]:
        """Grade codes from best to worst (the ladder of dynamic grades, R-RAT-4)."""
        return [g.code for g in sorted(self.grades, key=lambda g: g.min_score, reverse=True)]

    def grade(self, code: str) -> Grade:
        return next(g for g in self.grades if g.code == code)

    def grade_of(self, score: Decimal) -> Grade | None:
        reached = [g for g in self.grades if score >= g.min_score]
        return max(reached, key=lambda g: g.min_score) if reached else None

    def credit_line(
        self, grade: Grade | None, *, assets: Decimal = Decimal(0), income: Decimal = Decimal(0)
    ) -> Decimal:
        """Base line (× coefficient) + shares of assets and income, capped; whole yuan, rounded down.
        A household below every grade gets the unrated line (篇2: 500–1 000).

        Worked example (篇2 table): grade AA, base 10 000, no shares → 10 000; with a 10 % asset
        share and 50 000 of assets → 15 000; capped at the programme's 50 000.
        """
        if grade is None:
            return self.unrated_line
        line = grade.base_line * (grade.coefficient if self.use_coefficient else 1)
        line += self.asset_share * assets + self.income_share * income
        return min(line, self.cap).quantize(Decimal(1), rounding="ROUND_DOWN")


def _span(lo: Decimal | None, hi: Decimal | None) -> str:
    return f"{'' if lo is None else lo}–{'' if hi is None else hi}"


def _number(value: object, label: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationFailed(f"“{label}”应为数值（以字符串或整数给出）", code="rating_value")
    try:
        x = Decimal(str(value).strip())
        if not x.is_finite() or abs(x) > LIMIT:
            raise ValueError
        return x
    except Exception:
        raise ValidationFailed(f"“{label}”应为数值，收到“{value}”", code="rating_value") from None


@dataclass(frozen=True)
class Aggregate:
    score: Decimal
    spread: Decimal  # highest − lowest
    outliers: tuple[int, ...]  # positions of members far from the others


def aggregate(
    totals: Sequence[Decimal], method: Aggregation = "mean", outlier_points: Decimal = Decimal(15)
) -> Aggregate:
    """Combine panel members' totals (R-RAT-1b). Trimmed mean drops one highest and one lowest
    (with at least 4 members). A member whose total is more than ``outlier_points`` from the
    median of the others is flagged, so that a reviewer far from the rest can be questioned.

    Worked example: 80, 82, 85, 60 → mean 76.75, median 81, trimmed mean 81; spread 25;
    the 60 is flagged (22 below the others' median of 82).
    """
    if not totals:
        raise ValidationFailed("没有任何评议成员的评分", code="rating_no_scores")
    xs = sorted(totals)
    if method == "median":
        n = len(xs)
        value = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    elif method == "trimmed_mean" and len(xs) >= 4:
        value = sum(xs[1:-1], Decimal(0)) / (len(xs) - 2)
    else:
        value = sum(xs, Decimal(0)) / len(xs)
    # Decimal division is exact whenever the result has a finite expansion, so a tie such as
    # 78.605 is seen exactly and rounds half up (28 digits of precision for the rest).
    outliers = []
    for i, x in enumerate(totals):
        others = list(totals[:i]) + list(totals[i + 1 :])
        if others and abs(x - _median(others)) > outlier_points:
            outliers.append(i)
    return Aggregate(
        score=value.quantize(Decimal("0.01"), ROUND_HALF_UP), spread=xs[-1] - xs[0], outliers=tuple(outliers)
    )


def _median(xs: Sequence[Decimal]) -> Decimal:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def panel_problems(
    members: Sequence[str], *, min_representative_share: Fraction = Fraction(2, 5)
) -> list[str]:
    """Why a village panel may not sign (R-RAT-3): villager representatives must be at least
    2/5 of its members. ``members`` are role codes: "representative", "committee",
    "township", "work_team". Worked example: 2 representatives of 5 may sign; 1 of 3 may not."""
    out = []
    if not members:
        return ["评议小组没有成员"]
    reps = sum(1 for m in members if m == "representative")
    if Fraction(reps, len(members)) < min_representative_share:
        out.append(
            f"村民代表 {reps} 人，占评议小组 {len(members)} "
            f"人的比例低于 {min_representative_share.numerator}/"
            f"{min_representative_share.denominator}，评议小组不能签字"
        )
    return out


def next_grade(
    ladder: Sequence[str], current: str, event: Literal["repaid_on_time", "overdue", "default"]
) -> str:
    """Dynamic grades (R-RAT-4) on a ladder from best to worst: full on-time repayment raises
    one step, any overdue instalment lowers one step, default drops to the bottom."""
    i = ladder.index(current)
    if event == "repaid_on_time":
        return ladder[max(0, i - 1)]
    if event == "overdue":
        return ladder[min(len(ladder) - 1, i + 1)]
    return ladder[-1]


SEED_GRADES = (  # 篇2: 信用户 30 000 … 四级 1 000 (R-RAT-2)
    Grade("AAA", "信用户", Decimal(90), Decimal(30000)),
    Grade("AA", "一级信用户", Decimal(80), Decimal(10000)),
    Grade("A", "二级信用户", Decimal(70), Decimal(6000)),
    Grade("B", "三级信用户", Decimal(60), Decimal(4000)),
    Grade("C", "四级信用户", Decimal(50), Decimal(1000)),
)


# Registry facts that prefill an item's value (the panel may change them).
SOURCES: dict[str, str] = {
    "labour_count": "有劳动能力的家庭成员人数",
    "income_per_capita": "人均纯收入（元）",
    "member_count": "家庭人口数",
    "head_age": "户主年龄",
}


# ---------------------------------------------------------------------------------------------
# Scorecards as data: the poverty office edits a JSON-shaped definition (R-RAT-1 "configurable");
# :func:`scorecard_from_dict` checks it and reports every problem at once.

LIMIT = Decimal(10) ** 12  # any number in a definition: points, values, yuan


def _dec(
    d: Mapping[str, object],
    key: str,
    problems: ProblemList,
    where: str,
    default: str | None = None,
    *,
    optional: bool = False,
) -> Decimal | None:
    raw = d.get(key, default)
    if raw is None or raw == "":
        if optional:
            return None
        problems.add(f"{where}缺少“{key}”", field=key)
        return None
    if isinstance(raw, (bool, float)):
        raw = str(raw) if isinstance(raw, float) else "x"
    try:
        x = Decimal(str(raw).strip())
        if not x.is_finite() or abs(x) > LIMIT:
            raise ValueError
        return x
    except Exception:
        problems.add(
            f"{where}的“{key}”应为不超过 {LIMIT} 的数值，收到“{str(raw)[:40]}”",
            field=key,
            value=str(raw)[:40],
        )
        return None


def _option_pairs(raw: object) -> list[tuple[object, object]] | None:
    """An option item's options in their order of display: stored as [[option, points], …] —
    PostgreSQL's jsonb keeps no order of an object's keys, so an object {option: points} (what a
    person may type) is taken in the order given and stored as pairs; None when neither."""
    if isinstance(raw, Mapping):
        return list(raw.items())
    if isinstance(raw, list) and all(isinstance(p, list) and len(p) == 2 for p in raw):
        return [(p[0], p[1]) for p in raw]
    return None


def scorecard_from_dict(code: str, version: str, d: Mapping[str, Any]) -> Scorecard:
    """Build and check a scorecard from its stored definition; every problem is listed."""
    problems = ProblemList()
    items: list[Item] = []
    raw_items = d.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.add("评分表至少要有一个指标", field="items")
        raw_items = []
    seen: set[str] = set()
    for n, it in enumerate(raw_items, 1):
        where = f"第 {n} 个指标"
        if not isinstance(it, Mapping):
            problems.add(f"{where}格式不对", field="items")
            continue
        icode, label, method = (
            str(it.get("code", "")).strip(),
            str(it.get("label", "")).strip(),
            it.get("method"),
        )
        if not icode or not label:
            problems.add(f"{where}缺少代码或名称", field="items")
        elif icode in seen:
            problems.add(f"指标代码“{icode}”重复", field="items", value=icode)
        seen.add(icode)
        if not isinstance(method, str) or method not in ("range", "option", "formula"):
            problems.add(
                f"{where}（{label}）的计分方式应为 range（区间）、option（选项）或 formula（公式）",
                field="method",
            )
            continue
        max_points = _dec(it, "max_points", problems, where)
        if max_points is not None and max_points < 0:
            problems.add(f"{where}（{label}）的满分不能为负数", field="max_points")
        source = str(it.get("source", "") or "")
        if source and source not in SOURCES:
            problems.add(f"{where}（{label}）的数据来源“{source}”不存在", field="source", value=source)
        kw: dict[str, Any] = {"source": source}
        if method == "range":
            bands = []
            raw_bands = it.get("bands") or []
            for b in raw_bands if isinstance(raw_bands, list) else [None]:
                if not isinstance(b, (list, tuple)) or len(b) != 3:
                    problems.add(f"{where}（{label}）的区间应写成 [下限, 上限, 分数]", field="bands")
                    continue
                lo = _dec({"lo": b[0]}, "lo", problems, where, optional=True)
                hi = _dec({"hi": b[1]}, "hi", problems, where, optional=True)
                pts = _dec({"points": b[2]}, "points", problems, where)
                if pts is not None and max_points is not None and not 0 <= pts <= max_points:
                    problems.add(f"{where}（{label}）的区间分数 {pts} 超出 0–{max_points}", field="bands")
                if lo is not None and hi is not None and lo >= hi:
                    problems.add(f"{where}（{label}）的区间下限 {lo} 不小于上限 {hi}", field="bands")
                bands.append(Band(lo, hi, pts or Decimal(0)))
            if not bands:
                problems.add(f"{where}（{label}）没有评分区间", field="bands")
            kw["bands"] = tuple(bands)
        elif method == "option":
            opts = {}
            pairs = _option_pairs(it.get("options") or {})
            if pairs is None:
                problems.add(
                    f"{where}（{label}）的选项应写成 [[选项, 分数], …]（按显示顺序）或 {{选项: 分数}}",
                    field="options",
                )
                pairs = []
            for k, v in pairs:
                pts = _dec({"points": v}, "points", problems, f"{where}选项“{k}”")
                if pts is not None and max_points is not None and not 0 <= pts <= max_points:
                    problems.add(
                        f"{where}（{label}）选项“{k}”的分数 {pts} 超出 0–{max_points}", field="options"
                    )
                opts[str(k)] = pts or Decimal(0)
            if not opts:
                problems.add(f"{where}（{label}）没有选项", field="options")
            kw["options"] = opts
        else:
            for key, default in (
                ("standard", None),
                ("step", None),
                ("per_step", None),
                ("base", "0"),
                ("floor", "0"),
            ):
                kw[key] = _dec(it, key, problems, f"{where}（{label}）", default) or Decimal(0)
            if kw["step"] == 0:
                problems.add(f"{where}（{label}）的步长不能为 0", field="step")
                kw["step"] = Decimal(1)
            kw["min_value"] = _dec(it, "min_value", problems, where, optional=True)
            kw["max_value"] = _dec(it, "max_value", problems, where, optional=True)
        items.append(Item(icode, label, cast(Method, method), max_points or Decimal(0), **kw))
    grades: list[Grade] = []
    raw_grades = d.get("grades") or []
    for n, g in enumerate(raw_grades if isinstance(raw_grades, list) else [None], 1):
        where = f"第 {n} 个等级"
        if not isinstance(g, Mapping) or not str(g.get("code", "")).strip():
            problems.add(f"{where}缺少代码", field="grades")
            continue
        ms = _dec(g, "min_score", problems, where)
        line = _dec(g, "base_line", problems, where)
        coef = _dec(g, "coefficient", problems, where, "1")
        if line is not None and line < 0:
            problems.add(f"{where}的基础额度不能为负数", field="grades")
        grades.append(
            Grade(
                str(g["code"]).strip(),
                str(g.get("label", g["code"])),
                ms or Decimal(0),
                line or Decimal(0),
                coef or Decimal(1),
            )
        )
    if not grades:
        problems.add("评分表至少要有一个信用等级", field="grades")
    if len({g.code for g in grades}) != len(grades) or len({g.min_score for g in grades}) != len(grades):
        problems.add("信用等级的代码和最低分都不能重复", field="grades")
    cap = _dec(d, "cap", problems, "评分表")
    if cap is not None and cap <= 0:
        problems.add("授信额度上限应大于 0", field="cap")
    aggregation = d.get("aggregation", "mean")
    if not isinstance(aggregation, str) or aggregation not in AGGREGATIONS:
        problems.add(
            f"汇总方式应为 {'、'.join(AGGREGATIONS)} 之一", field="aggregation", value=str(aggregation)
        )
    ints: dict[str, int] = {}
    for key in ("term_months", "validity_months"):
        try:
            raw_int = d.get(key, 12)
            if isinstance(raw_int, (bool, float)):
                raise ValueError
            ints[key] = int(raw_int)
            if not 1 <= ints[key] <= 120:
                raise ValueError
        except (TypeError, ValueError):
            problems.add(f"“{key}”应为 1–120 的整数（月）", field=key)
            ints[key] = 12
    extra = {
        k: _dec(d, k, problems, "评分表", default) or Decimal(0)
        for k, default in (
            ("asset_share", "0"),
            ("income_share", "0"),
            ("unrated_line", "0"),
            ("outlier_points", "15"),
        )
    }
    problems.raise_if_any("评分表定义有误", code="scorecard_invalid")
    return Scorecard(
        code,
        version,
        tuple(items),
        tuple(grades),
        cap=cap or Decimal(0),
        use_coefficient=bool(d.get("use_coefficient", False)),
        aggregation=aggregation,
        term_months=ints["term_months"],
        validity_months=ints["validity_months"],
        asset_share=extra["asset_share"],
        income_share=extra["income_share"],
        unrated_line=extra["unrated_line"],
        outlier_points=extra["outlier_points"],
    )


def _s(x: Decimal | None) -> str | None:
    return None if x is None else str(x)


def scorecard_to_dict(card: Scorecard) -> dict[str, Any]:
    """The stored definition of ``card`` (decimals as strings, so nothing is lost)."""
    items = []
    for i in card.items:
        d: dict[str, Any] = {
            "code": i.code,
            "label": i.label,
            "method": i.method,
            "max_points": str(i.max_points),
        }
        if i.source:
            d["source"] = i.source
        if i.method == "range":
            d["bands"] = [[_s(b.lo), _s(b.hi), str(b.points)] for b in i.bands]
        elif i.method == "option":
            d["options"] = [[k, str(v)] for k, v in i.options.items()]  # a list: stored in order
        else:
            d.update(
                standard=str(i.standard),
                step=str(i.step),
                per_step=str(i.per_step),
                base=str(i.base),
                floor=str(i.floor),
                min_value=_s(i.min_value),
                max_value=_s(i.max_value),
            )
        items.append(d)
    return {
        "items": items,
        "grades": [
            {
                "code": g.code,
                "label": g.label,
                "min_score": str(g.min_score),
                "base_line": str(g.base_line),
                "coefficient": str(g.coefficient),
            }
            for g in card.grades
        ],
        "cap": str(card.cap),
        "use_coefficient": card.use_coefficient,
        "asset_share": str(card.asset_share),
        "income_share": str(card.income_share),
        "unrated_line": str(card.unrated_line),
        "aggregation": card.aggregation,
        "outlier_points": str(card.outlier_points),
        "term_months": card.term_months,
        "validity_months": card.validity_months,
    }


def _opt(code: str, label: str, options: dict[str, int], source: str = "") -> Item:
    return Item(
        code,
        label,
        "option",
        Decimal(max(options.values())),
        options={k: Decimal(v) for k, v in options.items()},
        source=source,
    )


def _range(code: str, label: str, bands: list[tuple[int | None, int | None, int]], source: str = "") -> Item:
    return Item(
        code,
        label,
        "range",
        Decimal(max(b[2] for b in bands)),
        source=source,
        bands=tuple(
            Band(None if lo is None else Decimal(lo), None if hi is None else Decimal(hi), Decimal(p))
            for lo, hi, p in bands
        ),
    )


def _formula(
    code: str,
    label: str,
    max_points: int,
    *,
    standard: int,
    step: int,
    per_step: int,
    base: int,
    source: str = "",
    max_value: int | None = None,
) -> Item:
    return Item(
        code,
        label,
        "formula",
        Decimal(max_points),
        standard=Decimal(standard),
        step=Decimal(step),
        per_step=Decimal(per_step),
        base=Decimal(base),
        min_value=Decimal(0),
        max_value=None if max_value is None else Decimal(max_value),
        source=source,
    )


# 篇2: a village-committee questionnaire (R-RAT-1a's typical items) on the 篇2 grade table.
PRESET_P2 = Scorecard(
    "p2",
    "1",
    (
        _opt("truthful", "资料真实性", {"真实": 10, "基本真实": 5, "不真实": 0}),
        _range("resident", "居住年限（年）", [(None, 3, 0), (3, 10, 3), (10, None, 5)]),
        _opt("ability", "经营能力", {"强": 15, "一般": 8, "弱": 3}),
        _opt("project", "项目前景", {"好": 15, "一般": 8, "差": 0}),
        _formula(
            "income",
            "人均纯收入（元）",
            20,
            standard=2000,
            step=500,
            per_step=2,
            base=10,
            source="income_per_capita",
            max_value=1_000_000,
        ),
        _range(
            "labour",
            "家庭劳动力（人）",
            [(None, 1, 0), (1, 2, 5), (2, 3, 10), (3, None, 15)],
            source="labour_count",
        ),
        _opt("neighbours", "邻里关系", {"和睦": 10, "一般": 5, "紧张": 0}),
        _opt("reputation", "诚信口碑", {"好": 10, "一般": 5, "差": 0}),
    ),
    SEED_GRADES,
    cap=Decimal(30000),
    unrated_line=Decimal(1000),
    validity_months=12,
    term_months=12,
)
# 篇8: labour, income and social credit; one band with a 50 000 line for 3 years.
PRESET_P8 = Scorecard(
    "p8",
    "1",
    (
        _range(
            "labour",
            "家庭劳动力（人）",
            [(None, 1, 0), (1, 2, 15), (2, 3, 25), (3, None, 35)],
            source="labour_count",
        ),
        _formula(
            "income",
            "人均纯收入（元）",
            35,
            standard=2500,
            step=500,
            per_step=5,
            base=20,
            source="income_per_capita",
            max_value=1_000_000,
        ),
        _opt("credit", "社会信用（村内口碑、还款记录）", {"好": 30, "较好": 20, "一般": 10, "差": 0}),
    ),
    (Grade("L", "授信户", Decimal(60), Decimal(50000)),),
    cap=Decimal(50000),
    term_months=36,
    validity_months=36,
)
# Lead households and cooperatives (新型农业经营主体, R-CRD-3): their own scorecard.
PRESET_LEAD = Scorecard(
    "lead",
    "1",
    (
        _range("years", "经营年限（年）", [(None, 1, 0), (1, 3, 10), (3, 5, 15), (5, None, 20)]),
        _range("driven", "带动贫困户数（户）", [(None, 5, 0), (5, 10, 10), (10, 20, 20), (20, None, 30)]),
        _formula(
            "revenue", "年经营收入（万元）", 20, standard=20, step=10, per_step=2, base=10, max_value=100_000
        ),
        _range("debt_ratio", "资产负债率（%）", [(None, 30, 15), (30, 60, 8), (60, None, 0)]),
        _opt("record", "信用记录", {"良好": 15, "一般": 8, "有不良": 0}),
    ),
    (
        Grade("AAA", "AAA 级主体", Decimal(90), Decimal(500000)),
        Grade("AA", "AA 级主体", Decimal(80), Decimal(300000)),
        Grade("A", "A 级主体", Decimal(70), Decimal(200000)),
        Grade("B", "B 级主体", Decimal(60), Decimal(100000)),
    ),
    cap=Decimal(500000),
    aggregation="median",
    term_months=36,
    validity_months=24,
)
PRESETS: dict[str, tuple[str, str, Scorecard]] = {  # code -> (name, kind, card)
    "p2": ("篇2 信用户评级（村委问卷，信用户 3 万 … 四级 1 千）", "household", PRESET_P2),
    "p8": ("篇8 劳动力·收入·社会信用（5 万元 3 年）", "household", PRESET_P8),
    "lead": ("带动大户与合作社评级", "lead", PRESET_LEAD),
}


# ---------------------------------------------------------------------------------------------
# Credit villages and townships (R-RAT-5).


@dataclass(frozen=True)
class VillageThresholds:
    min_rated_share: Fraction = Fraction(80, 100)  # households rated / households registered
    min_repayment_rate: Fraction = Fraction(98, 100)  # 98 % rule (R-RPT-4)
    max_defaults: int = 0
    validity_years: int = 2


def credit_village_problems(
    *,
    households: int,
    rated: int,
    due: int,
    repaid: int,
    defaults: int,
    t: VillageThresholds = VillageThresholds(),
) -> list[str]:
    """Why a village (or township, from its totals) cannot be designated 信用村 (R-RAT-5);
    empty when it can. Amounts in fen. Worked example: 100 households, 85 rated, 10 000 due,
    9 900 repaid, 0 defaults → designable (85 % ≥ 80 %, 99 % ≥ 98 %)."""
    out = []
    if households == 0:
        return ["没有登记农户"]
    if Fraction(rated, households) < t.min_rated_share:
        out.append(f"评级农户占比 {_pct(Fraction(rated, households))} 低于 {_pct(t.min_rated_share)}")
    if due and Fraction(repaid, due) < t.min_repayment_rate:
        out.append(f"还款率 {_pct(Fraction(repaid, due))} 低于 {_pct(t.min_repayment_rate)}")
    if defaults > t.max_defaults:
        out.append(f"违约 {defaults} 笔，超过允许的 {t.max_defaults} 笔")
    return out


def _pct(x: Fraction) -> str:
    return (
        f"{(Decimal(x.numerator) * 100 / Decimal(x.denominator)).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"
    )

"""Reading the poverty registry's spreadsheets (R-REG-2a, R-REG-3): headers, rows, households.

Two layouts are accepted, columns in any order:

* ``registry`` — the export of the national poverty information system (全国扶贫开发信息系统):
  one row per person with 县, 乡镇, 行政村, 自然村, 户编号, 人编号, 姓名, 证件号码, 人数, 与户主关系,
  民族, 文化程度, 在校生状况, 健康状况, 劳动技能, 务工状况, 务工时间(月), 参加大病医疗, 脱贫属性,
  贫困户属性, 主要致贫原因, 危房户, 饮水安全, 饮水困难, 人均纯收入, 联系电话 and often 识别标准,
  开户银行, 银行卡号, 脱贫年度;
* ``template`` — the simpler template Fupin offers for download, keyed by village code.

Every problem is collected with its row, column, value and a Chinese explanation; nothing
stops at the first problem (Beancount's habit). This module only reads and checks; the
registry app resolves villages, compares with the database and writes.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from fupin.core import idcard
from fupin.core.errors import Problem, ValidationFailed

# canonical field -> header as printed in the layouts
REGISTRY_HEADERS = {
    "county": "县",
    "township": "乡镇",
    "village_name": "行政村",
    "natural_village": "自然村",
    "registry_no": "户编号",
    "person_no": "人编号",
    "name": "姓名",
    "id_number": "证件号码",
    "member_count": "人数",
    "relationship": "与户主关系",
    "ethnicity": "民族",
    "education": "文化程度",
    "school_status": "在校生状况",
    "health": "健康状况",
    "labour_skill": "劳动技能",
    "work_status": "务工状况",
    "work_months": "务工时间(月)",
    "serious_illness_insured": "参加大病医疗",
    "lifting_attribute": "脱贫属性",
    "poverty_attribute": "贫困户属性",
    "main_cause": "主要致贫原因",
    "dangerous_house": "危房户",
    "water_safe": "饮水安全",
    "water_difficulty": "饮水困难",
    "income_per_capita": "人均纯收入",
    "phone": "联系电话",
    "identification_standard": "识别标准",
    "bank_name": "开户银行",
    "bank_account": "银行卡号",
    "lifted_year": "脱贫年度",
}
TEMPLATE_HEADERS = {
    "village_code": "村代码",
    "registry_no": "户编号",
    "name": "姓名",
    "id_number": "证件号码",
    "relationship": "与户主关系",
    "labour": "劳动能力",
    "health": "健康状况",
    "education": "文化程度",
    "phone": "联系电话",
    "status": "户类型",
    "status_year": "建档年份",
    "lifted_year": "脱贫年度",
    "income_total": "家庭年收入",
    "income_per_capita": "人均纯收入",
    "income_sources": "收入来源",
    "main_cause": "主要致贫原因",
    "bank_name": "开户银行",
    "bank_account": "银行卡号",
    "tags": "重点标签",
    "registered_on": "登记日期",
}
REQUIRED = {
    "registry": ["township", "village_name", "registry_no", "name", "id_number", "relationship"],
    "template": ["village_code", "registry_no", "name", "id_number", "relationship"],
}
HOUSEHOLD_FIELDS = [
    "natural_village",
    "member_count",
    "lifting_attribute",
    "poverty_attribute",
    "main_cause",
    "dangerous_house",
    "water_safe",
    "water_difficulty",
    "income_per_capita",
    "income_total",
    "income_sources",
    "identification_standard",
    "bank_name",
    "bank_account",
    "lifted_year",
    "status",
    "status_year",
    "tags",
    "registered_on",
]
STATUS_LABELS = {
    "建档立卡贫困户": "poor",
    "贫困户": "poor",
    "低收入户": "low_income",
    "监测户": "monitored",
    "监测对象": "monitored",
    "已脱贫户": "lifted",
    "脱贫户": "lifted",
    "非建档户": "none",
}
STATUS_CODES = {"poor", "low_income", "monitored", "lifted", "none"}
LABOUR = {
    "有劳动能力": "full",
    "技能劳动力": "full",
    "普通劳动力": "full",
    "弱劳动力": "weak",
    "半劳动力": "weak",
    "弱劳动力或半劳动力": "weak",
    "丧失劳动力": "none",
    "无劳动力": "none",
}
TAGS = {"重点村", "移民安置点", "经济薄弱村"}
HEAD = {"户主", "本人", "本人或户主", "户主本人"}
YES = {"是", "有", "y", "yes", "1", "√", "true"}
NO = {"否", "无", "n", "no", "0", "×", "false"}
_HEADER_CLEAN = str.maketrans({"（": "(", "）": ")", " ": None, "\u3000": None, "\n": None, "\t": None})
_DIGITS = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"，": ",", "．": ".", "－": "-", "　": " "}
)
_DATE_TEXT = [
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), (1, 2, 3)),
]


def clean_header(h: Any) -> str:
    return str(h or "").translate(_HEADER_CLEAN).strip()


def column_letter(index: int) -> str:
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


Bad = Callable[[str, Any, str], None]  # report(field, value, message)


@dataclass(frozen=True)
class Columns:
    layout: str
    index: dict[str, int]  # canonical field -> column index
    headers: dict[str, str]  # canonical field -> header text as found

    def where(self, f: str) -> str:
        return f"{self.headers[f]}（{column_letter(self.index[f])}列）"


def map_headers(raw: Sequence[Any]) -> tuple[Columns | None, list[Problem]]:
    """Recognise the layout from the header row; every unknown, duplicate or missing column is reported."""
    cleaned = [clean_header(h) for h in raw]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    problems: list[Problem] = []
    if not any(cleaned):
        return None, [Problem("表头为空：第一行应为列名（姓名、证件号码……）", row=1)]
    layout = "template" if "村代码" in cleaned else "registry"
    by_header = {
        clean_header(v): k
        for k, v in (TEMPLATE_HEADERS if layout == "template" else REGISTRY_HEADERS).items()
    }
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    for i, h in enumerate(cleaned):
        if not h:
            continue
        f = by_header.get(h)
        if f is None:
            problems.append(Problem(f"未知的列名“{h}”", row=1, field=column_letter(i) + "列", value=h))
        elif f in index:
            problems.append(Problem(f"列名“{h}”重复", row=1, field=column_letter(i) + "列", value=h))
        else:
            index[f] = i
            headers[f] = h
    for f in REQUIRED[layout]:
        if f not in index:
            name = (TEMPLATE_HEADERS if layout == "template" else REGISTRY_HEADERS)[f]
            problems.append(Problem(f"缺少必需的列“{name}”", row=1, field=name))
    return (Columns(layout, index, headers) if not problems else None), problems


@dataclass
class PersonRecord:
    row: int
    village_ref: str | tuple[str, str, str]  # template: code; registry: (县, 乡镇, 行政村) names
    registry_no: str
    name: str
    id_number: str
    birth_date: dt.date
    sex: str
    is_head: bool
    relationship: str
    person: dict[str, Any] = field(default_factory=dict)  # other person fields
    household: dict[str, Any] = field(default_factory=dict)  # household fields as given on this row
    phone: str | None = None  # None: the file has no phone column


def _text(v: Any) -> str:
    if type(v) is str:
        return v.strip()
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


class RowReader:
    """Turns one spreadsheet row into a :class:`PersonRecord`, or into problems.

    A prefecture's registry has close to a million rows, so the column positions and the
    checks that apply are worked out once here, not on every row."""

    PERSON_TEXT = (
        "person_no",
        "ethnicity",
        "education",
        "school_status",
        "health",
        "labour_skill",
        "work_status",
    )

    def __init__(self, columns: Columns, today: dt.date) -> None:
        self.c = columns
        self.today = today
        at = columns.index
        self.pairs = list(at.items())
        self.width = max(at.values()) + 1
        self.name_at, self.id_at, self.relationship_at = at["name"], at["id_number"], at["relationship"]
        self.registry_no_at = at["registry_no"]
        self.village_at = [
            at.get(f)
            for f in (
                ("village_code",) if columns.layout == "template" else ("county", "township", "village_name")
            )
        ]
        self.person_text = [(f, at[f]) for f in self.PERSON_TEXT if f in at]
        labour = "labour_skill" if "labour_skill" in at else "labour" if "labour" in at else None
        self.labour = (labour, at[labour]) if labour else None
        self.work_months_at = at.get("work_months")
        self.insured_at = at.get("serious_illness_insured")
        self.phone_at = at.get("phone")
        household_indexes = [i for f, i in self.pairs if f in HOUSEHOLD_FIELDS or f == "status"]
        self.household_key: Callable[[Sequence[Any]], Any] = (
            operator.itemgetter(*household_indexes) if household_indexes else (lambda values: ())
        )
        self._last_key: Any = None
        self._last_household: dict[str, Any] = {}
        self._last_found: list[tuple[str, Any, str]] = []
        self._fresh = True

    def read(self, values: Sequence[Any], row: int) -> tuple[PersonRecord | None, list[Problem]]:
        if len(values) < self.width:
            values = [*values, *[None] * (self.width - len(values))]
        c = self.c
        problems: list[Problem] = []

        def bad(f: str, value: Any, message: str) -> None:
            problems.append(Problem(message, row=row, field=c.where(f), value=_text(value)[:60]))

        v = values[self.name_at]
        name = v.strip() if type(v) is str else _text(v)
        if not name:
            bad("name", "", "姓名为空")
        raw_id = values[self.id_at]
        parsed = None
        try:
            parsed = idcard.parse(raw_id, today=self.today)
        except ValidationFailed as e:
            bad("id_number", raw_id, e.message)
        v = values[self.registry_no_at]
        registry_no = idcard.normalise(v) if v is not None else ""
        if not registry_no:
            bad("registry_no", "", "户编号为空")
        v = values[self.relationship_at]
        relationship = v.strip() if type(v) is str else _text(v)
        if not relationship:
            bad("relationship", "", "与户主关系为空")
        if c.layout == "template":
            raw_code = values[self.village_at[0]]  # type: ignore[index]
            code = idcard.normalise(raw_code)
            if not (len(code) == 12 and code.isdigit()):
                bad("village_code", raw_code, "村代码应为12位数字")
            village_ref: str | tuple[str, str, str] = code
        else:
            county, township, village = (_text(values[i]) if i is not None else "" for i in self.village_at)
            village_ref = (county, township, village)
            if not township:
                bad("township", "", "乡镇为空")
            if not village:
                bad("village_name", "", "行政村为空")

        person: dict[str, Any] = {}
        for f, i in self.person_text:
            v = values[i]
            person[f] = (v.strip() if type(v) is str else _text(v))[:40]
        if self.labour is not None:
            f, i = self.labour
            raw = _text(values[i])
            if raw and raw not in LABOUR:
                bad(f, raw, f"无法识别的劳动能力“{raw}”，可填：{'、'.join(LABOUR)}")
            person["labour"] = LABOUR.get(raw, "")
        if self.work_months_at is not None:
            person["work_months"] = self._int(values[self.work_months_at], "work_months", 0, 12, bad)
        if self.insured_at is not None:
            person["serious_illness_insured"] = self._bool(
                values[self.insured_at], "serious_illness_insured", bad
            )
        phone: str | None = None
        if self.phone_at is not None:
            raw_phone = values[self.phone_at]
            phone = ""
            if raw_phone not in (None, ""):
                if isinstance(raw_phone, float) and not raw_phone.is_integer():
                    bad("phone", raw_phone, "联系电话不是有效号码")
                phone = idcard.normalise(raw_phone)
                if not (phone.isdigit() and 7 <= len(phone) <= 12):
                    bad("phone", raw_phone, "联系电话应为7–12位数字（手机号11位）")

        # household columns repeat on every member's row: rows with the same raw values as the
        # row before are read once (same result, same problems, reported again with this row)
        key = self.household_key(values)
        if self._fresh or key != self._last_key:
            found: list[tuple[str, Any, str]] = []
            get = {f: values[i] for f, i in self.pairs}.get
            self._last_household = self._household(get, lambda f, v, m: found.append((f, v, m)))
            self._last_key, self._last_found, self._fresh = key, found, False
        household = self._last_household
        for f, value, message in self._last_found:
            bad(f, value, message)

        if problems or parsed is None:
            return None, problems
        return PersonRecord(
            row=row,
            village_ref=village_ref,
            registry_no=registry_no,
            name=name[:64],
            id_number=parsed.value,
            birth_date=parsed.birth_date,
            sex=parsed.sex,
            is_head=relationship in HEAD,
            relationship=relationship[:16],
            person=person,
            household=household,
            phone=phone,
        ), []

    def _household(self, get: Callable[[str], Any], bad: Bad) -> dict[str, Any]:
        c = self.c
        household: dict[str, Any] = {}
        for f in (
            "natural_village",
            "poverty_attribute",
            "lifting_attribute",
            "main_cause",
            "identification_standard",
            "bank_name",
            "income_sources",
        ):
            if f in c.index:
                household[f] = _text(get(f))[:60]
        for f in ("dangerous_house", "water_safe", "water_difficulty"):
            if f in c.index:
                household[f] = self._bool(get(f), f, bad)
        for f in ("income_per_capita", "income_total"):
            if f in c.index:
                household[f] = self._amount(get(f), f, bad)
        if "member_count" in c.index:
            household["member_count"] = self._int(get("member_count"), "member_count", 1, 99, bad)
        for f in ("lifted_year", "status_year"):
            if f in c.index:
                household[f] = self._year(get(f), f, bad)
        if "bank_account" in c.index and get("bank_account") not in (None, ""):
            raw_acct = get("bank_account")
            acct = idcard.normalise(raw_acct)
            if isinstance(raw_acct, float) or not (acct.isdigit() and 12 <= len(acct) <= 19):
                bad("bank_account", raw_acct, "银行卡号应为12–19位数字（请将该列设为文本）")
            household["bank_account"] = acct
        if "status" in c.index:
            raw = _text(get("status"))
            status = STATUS_LABELS.get(raw) or (raw if raw in STATUS_CODES else None)
            if raw and status is None:
                bad("status", raw, f"无法识别的户类型“{raw}”，可填：{'、'.join(STATUS_LABELS)}")
            household["status"] = status or ""
        elif c.layout == "registry":
            household["status"] = status_from_registry(household.get("lifting_attribute", ""))
        if "tags" in c.index:
            raw = _text(get("tags"))
            tags = [t for t in re.split(r"[;；,，、/\s]+", raw) if t]
            unknown = [t for t in tags if t not in TAGS]
            if unknown:
                bad("tags", raw, f"未知的重点标签“{'、'.join(unknown)}”，可填：{'、'.join(sorted(TAGS))}")
            household["tags"] = sorted(set(tags) & TAGS)
        if "registered_on" in c.index:
            household["registered_on"] = self._date(get("registered_on"), "registered_on", bad)
        return household

    @staticmethod
    def _bool(v: Any, f: str, bad: Bad) -> bool | None:
        t = _text(v).lower()
        if not t:
            return None
        if t in YES:
            return True
        if t in NO:
            return False
        bad(f, v, "应填“是”或“否”")
        return None

    @staticmethod
    def _int(v: Any, f: str, lo: int, hi: int, bad: Bad) -> int | None:
        if v is None or v == "":
            return None
        if (type(v) is float and v.is_integer()) or type(v) is int:  # a number cell: no text to clean
            n = int(v)
            if lo <= n <= hi:
                return n
        t = _text(v).translate(_DIGITS).strip()
        if not re.fullmatch(r"-?\d+", t):
            bad(f, v, "应为整数")
            return None
        n = int(t)
        if not lo <= n <= hi:
            bad(f, v, f"应在 {lo} 到 {hi} 之间")
            return None
        return n

    @staticmethod
    def _amount(v: Any, f: str, bad: Bad) -> Decimal | None:
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            bad(f, v, "应为金额（元）")
            return None
        t = (
            (repr(v) if isinstance(v, float) else _text(v))
            .translate(_DIGITS)
            .replace(",", "")
            .replace("元", "")
            .strip()
        )
        try:
            d = Decimal(t)
        except InvalidOperation:
            bad(f, v, "应为金额（元），不能包含文字")
            return None
        if not d.is_finite():
            bad(f, v, "应为金额（元）")
            return None
        if d < 0:
            bad(f, v, "收入不能为负数")
            return None
        return d.quantize(Decimal("0.01"))

    def _year(self, v: Any, f: str, bad: Bad) -> int | None:
        if v is None or v == "":
            return None
        if isinstance(v, dt.date):
            return v.year
        t = _text(v).translate(_DIGITS).removesuffix("年").strip()
        if not re.fullmatch(r"\d{4}", t) or not 1980 <= int(t) <= self.today.year + 1:
            bad(f, v, f"年份应为 1980–{self.today.year + 1} 之间的四位数字")
            return None
        return int(t)

    def _date(self, v: Any, f: str, bad: Bad) -> dt.date | None:
        day, problem = parse_date(v, self.today)
        if problem:
            bad(f, v, problem)
        return day


def parse_date(v: Any, today: dt.date) -> tuple[dt.date | None, str]:
    """A date cell as typed (a date, 2024-05-01, 2024/5/1, 2024年5月1日, full-width digits):
    (the date, "") — or (None, the Chinese problem); an empty cell is (None, "")."""
    if v is None or v == "":
        return None, ""
    if isinstance(v, dt.datetime):
        return v.date(), ""
    if isinstance(v, dt.date):
        return v, ""
    t = _text(v).translate(_DIGITS).strip()
    for pattern, (y, m, d) in _DATE_TEXT:
        mt = pattern.match(t)
        if mt:
            try:
                day = dt.date(int(mt.group(y)), int(mt.group(m)), int(mt.group(d)))
            except ValueError:
                break
            if day > today:
                return None, "日期不能晚于今天"
            return day, ""
    return None, "不是有效日期（可写作 2024-05-01、2024/5/1 或 2024年5月1日）"


def read_rows(
    reader: RowReader,
    numbered: Iterable[tuple[int, Sequence[Any]]],
    tick: Callable[[int], None] | None = None,
) -> tuple[list[PersonRecord], list[Problem], int]:
    """Every (row number, values) through ``reader``: the records, every problem, the count;
    ``tick(count)`` every 50 000 rows (progress)."""
    records: list[PersonRecord] = []
    problems: list[Problem] = []
    count = 0
    for n, values in numbered:
        count += 1
        record, found = reader.read(values, n)
        if record is not None:
            records.append(record)
        else:
            problems.extend(found)
        if tick is not None and count % 50_000 == 0:
            tick(count)
    return records, problems, count


def status_from_registry(lifting: str) -> str:
    """R-REG-2a's 脱贫属性 to a registry status."""
    if not lifting or "未脱贫" in lifting or "返贫" in lifting:
        return "poor"
    if "监测" in lifting or "边缘" in lifting:
        return "monitored"
    if "低收入" in lifting:
        return "low_income"
    if "脱贫" in lifting:
        return "lifted"
    return "poor"


@dataclass
class HouseholdRecord:
    key: tuple[Any, str]  # (village_ref, registry_no)
    members: list[PersonRecord]

    @property
    def head(self) -> PersonRecord:
        m = self.members[0]
        return m if m.is_head else next(m for m in self.members if m.is_head)


def group(records: Iterable[PersonRecord]) -> tuple[list[HouseholdRecord], list[Problem]]:
    """Group persons into households; check one head each and no ID twice in the file."""
    problems: list[Problem] = []
    households: dict[tuple[Any, str], HouseholdRecord] = {}
    seen: dict[str, int] = {}
    for r in records:
        first = seen.get(r.id_number)
        if first is not None:
            problems.append(
                Problem(
                    f"证件号码与第 {first} 行重复",
                    row=r.row,
                    field="证件号码",
                    value=idcard.mask_id(r.id_number),
                )
            )
            continue
        seen[r.id_number] = r.row
        key = (r.village_ref, r.registry_no)
        h = households.get(key)
        if h is None:
            households[key] = HouseholdRecord(key, [r])
        else:
            h.members.append(r)
    for h in households.values():
        heads = [m for m in h.members if m.is_head]
        if not heads:
            problems.append(
                Problem(
                    f"户编号“{h.key[1]}”没有户主（与户主关系应有一人为“户主”）",
                    row=h.members[0].row,
                    field="与户主关系",
                    value=h.key[1],
                )
            )
        elif len(heads) > 1:
            rows = "、".join(str(m.row) for m in heads)
            problems.append(
                Problem(
                    f"户编号“{h.key[1]}”有 {len(heads)} 个户主（第 {rows} 行）",
                    row=heads[1].row,
                    field="与户主关系",
                    value=h.key[1],
                )
            )
    return list(households.values()), problems

"""Synthetic people for the demo county, tests and benchmarks: valid ID numbers, names,
households of believable size and make-up (DOMAIN §15). Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from fupin.core.idcard import check_character

from .names import SURNAMES

GIVEN_M = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆文建国庆春生林海山"
GIVEN_F = "芳娜敏静丽艳娟霞秀英华玲桂兰红梅琳萍洁燕雪莉慧巧云凤春花翠"
CAUSES = [
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
]
CAUSE_WEIGHTS = [22, 10, 6, 4, 5, 2, 14, 9, 20, 4, 4]
EDUCATION = ["文盲或半文盲", "小学", "初中", "高中", "大专及以上"]


def make_id(rng: random.Random, region: str, birth: dt.date, male: bool, used: set[str] | None = None) -> str:
    """A valid ID; with ``used``, one not in it (a real registry has no duplicates)."""
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        value = first17 + check_character(first17)
        if used is None or value not in used:
            if used is not None:
                used.add(value)
            return value


def make_name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    given = GIVEN_M if male else GIVEN_F
    n = 1 if rng.random() < 0.3 else 2
    return (surname or rng.choice(SURNAMES)) + "".join(rng.choice(given) for _ in range(n))


@dataclass
class SyntheticPerson:
    name: str
    id_number: str
    relationship: str
    labour: str
    health: str
    education: str
    phone: str = ""


@dataclass
class SyntheticHousehold:
    registry_no: str
    village_code: str
    status: str
    status_year: int
    lifted_year: int | None
    income_per_capita: int
    cause: str
    members: list[SyntheticPerson] = field(default_factory=list)


def household(
    rng: random.Random, village_code: str, number: int, today: dt.date, used: set[str] | None = None
) -> SyntheticHousehold:
    region = village_code[:6]
    surname = rng.choice(SURNAMES)
    head_male = rng.random() < 0.6  # the programmes lend to women as much as to men (篇1: 49.5 %)
    head_age = rng.randint(24, 72)
    head_birth = today - dt.timedelta(days=head_age * 365 + rng.randrange(365))
    r = rng.random()
    status = "poor" if r < 0.45 else "lifted" if r < 0.80 else "low_income" if r < 0.92 else "monitored"
    status_year = rng.choice([2014, 2014, 2015, 2016, 2017, 2018])
    lifted = rng.randint(status_year + 1, 2020) if status == "lifted" else None
    hh = SyntheticHousehold(
        registry_no=f"{village_code[6:]}{number:05d}",
        village_code=village_code,
        status=status,
        status_year=status_year,
        lifted_year=lifted,
        income_per_capita=rng.randrange(1800, 9000, 10),
        cause=rng.choices(CAUSES, CAUSE_WEIGHTS)[0],
    )

    def person(rel: str, male: bool, birth: dt.date, surname_: str | None) -> SyntheticPerson:
        age = (today - birth).days // 365
        labour = (
            "无劳动力"
            if age < 16 or age > 70
            else "弱劳动力"
            if age > 60 or rng.random() < 0.1
            else "有劳动能力"
        )
        return SyntheticPerson(
            name=make_name(rng, male, surname_),
            id_number=make_id(rng, region, birth, male, used),
            relationship=rel,
            labour=labour,
            health="健康" if rng.random() < 0.8 else rng.choice(["长期慢性病", "患有大病", "残疾"]),
            education=rng.choice(EDUCATION[:4]) if age >= 7 else "学龄前",
            phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            if rel == "户主" and rng.random() < 0.9
            else "",
        )

    hh.members.append(person("户主", head_male, head_birth, surname))
    if rng.random() < 0.85:
        hh.members.append(
            person("配偶", not head_male, head_birth + dt.timedelta(days=rng.randint(-1500, 1500)), None)
        )
    for _ in range(rng.choices([0, 1, 2, 3], [15, 35, 35, 15])[0]):
        child_birth = head_birth + dt.timedelta(days=rng.randint(20 * 365, 38 * 365))
        if child_birth < today:
            male = rng.random() < 0.52
            hh.members.append(person("之子" if male else "之女", male, child_birth, surname))
    return hh


REGISTRY_HEADER = [
    "县",
    "乡镇",
    "行政村",
    "自然村",
    "户编号",
    "人编号",
    "姓名",
    "证件号码",
    "人数",
    "与户主关系",
    "民族",
    "文化程度",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "务工状况",
    "务工时间(月)",
    "参加大病医疗",
    "脱贫属性",
    "贫困户属性",
    "主要致贫原因",
    "危房户",
    "饮水安全",
    "饮水困难",
    "人均纯收入",
    "联系电话",
]
LIFTING = {"poor": "未脱贫", "lifted": "已脱贫", "low_income": "低收入", "monitored": "监测对象"}
SKILL = {"有劳动能力": "普通劳动力", "弱劳动力": "弱劳动力或半劳动力", "无劳动力": "无劳动力"}


def registry_rows(hh: SyntheticHousehold, county: str, township: str, village: str) -> list[list]:
    """The household as rows of the R-REG-2a layout (one per person)."""
    out = []
    for i, m in enumerate(hh.members, start=1):
        out.append(
            [
                county,
                township,
                village,
                "",
                hh.registry_no,
                f"{hh.registry_no}{i:02d}",
                m.name,
                m.id_number,
                len(hh.members),
                m.relationship,
                "汉族",
                m.education,
                "",
                m.health,
                SKILL[m.labour],
                "",
                0,
                "是",
                LIFTING[hh.status],
                "一般贫困户",
                hh.cause,
                "否",
                "是",
                "否",
                hh.income_per_capita,
                m.phone,
            ]
        )
    return out

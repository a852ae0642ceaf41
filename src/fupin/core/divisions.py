"""Administrative division codes (R-REG-1).

The national statistics code has 12 digits: province (2), city (4), county (6),
township (9) and village (12). A division's *prefix* is its significant part; a
code belongs to a division when it starts with that prefix, which is how every
query in Fupin is scoped to a jurisdiction.

Example: village ``110101001002`` lies in township ``110101001000`` (prefix
``110101001``), county ``110101000000`` (prefix ``110101``), city ``110100000000``
(prefix ``1101``) and province ``110000000000`` (prefix ``11``).
"""

from __future__ import annotations

from enum import IntEnum

from fupin.core.errors import ValidationFailed

CODE_LENGTH = 12


class Level(IntEnum):
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWNSHIP = 4
    VILLAGE = 5

    @property
    def prefix_length(self) -> int:
        return PREFIX_LENGTHS[self]

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


PREFIX_LENGTHS = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_LABELS = {
    Level.PROVINCE: "省",
    Level.CITY: "市",
    Level.COUNTY: "县",
    Level.TOWNSHIP: "乡镇",
    Level.VILLAGE: "村",
}


def level_of(code: str) -> Level:
    """The level a well-formed 12-digit code stands for, read from its trailing zeros."""
    check_format(code)
    if code[9:] != "000":
        return Level.VILLAGE
    if code[6:9] != "000":
        return Level.TOWNSHIP
    if code[4:6] != "00":
        return Level.COUNTY
    if code[2:4] != "00":
        return Level.CITY
    return Level.PROVINCE


def check_format(code: str) -> None:
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        raise ValidationFailed(
            f"区划代码“{code}”必须是12位数字", code="division_code_format", details={"code": code}
        )
    if code[:2] == "00":
        raise ValidationFailed(
            f"区划代码“{code}”的省级代码不能为00", code="division_code_format", details={"code": code}
        )


def prefix_of(code: str) -> str:
    """The significant part of a code: what every code inside the division starts with."""
    return code[: level_of(code).prefix_length]


def contains(outer: str, inner: str) -> bool:
    """True when division ``inner`` lies inside (or is) division ``outer``."""
    return inner.startswith(prefix_of(outer))


def check_child(parent: str, child: str) -> Level:
    """Validate that ``child`` is a direct sub-division of ``parent``; return its level.

    A village's code must start with its township's prefix, a township's with its
    county's, and so on, and the child must be exactly one level below.
    """
    parent_level = level_of(parent)
    child_level = level_of(child)
    if child_level != parent_level + 1:
        raise ValidationFailed(
            f"“{child}”是{child_level.label}级代码，不能直接隶属于{parent_level.label}级区划“{parent}”",
            code="division_level",
            details={"parent": parent, "child": child},
        )
    if not child.startswith(prefix_of(parent)):
        raise ValidationFailed(
            f"区划代码“{child}”应以上级区划的代码前缀“{prefix_of(parent)}”开头",
            code="division_prefix",
            details={"parent": parent, "child": child},
        )
    return child_level


def ancestors(code: str) -> list[str]:
    """Codes of every division above ``code``, from the province down (excluding itself)."""
    level = level_of(code)
    result = []
    for upper in Level:
        if upper >= level:
            break
        n = upper.prefix_length
        candidate = code[:n] + "0" * (CODE_LENGTH - n)
        if level_of(candidate) == upper:
            result.append(candidate)
    return result


def institution_of(obj: object) -> int | None:
    """The lending institution (its id) of an object whose class names it in ``INSTITUTION_ATTR``
    — an attribute path such as ``loan__institution_id`` (issue 25) — else None (a household, a
    rating: every institution's alike)."""
    path = getattr(type(obj), "INSTITUTION_ATTR", None)
    value: object = obj if path else None
    for part in path.split("__") if path else ():
        value = getattr(value, part)
        if value is None:
            return None
    return value if isinstance(value, int) else None


def grouped(rows: list[tuple[str, str]], names: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Divisions ``rows`` — (code, name), in code order — in the groups a picker shows them by
    name (issue 27 (7)): counties (and above) first, then each township with its villages; a
    village's township is named from ``names`` when the township itself is not among the rows.
    With no villages among the rows, the townships make one group.

    Example: 529901000000 县, 529901001000 甲镇, 529901001001 一村 → [("县", [(…000000, "县")]),
    ("甲镇", [(…001000, "甲镇（全镇）"), (…001001, "一村")])].
    """
    levels = [level_of(c) for c, _ in rows]
    above = [r for r, lvl in zip(rows, levels, strict=True) if lvl < Level.TOWNSHIP]
    label = "县及以上" if any(lvl < Level.COUNTY for lvl in levels) else "县"
    out: list[tuple[str, list[tuple[str, str]]]] = [(label, above)] if above else []
    if Level.VILLAGE not in levels:
        towns = [r for r, lvl in zip(rows, levels, strict=True) if lvl == Level.TOWNSHIP]
        return out + ([("乡镇", towns)] if towns else [])
    groups: dict[str, list[tuple[str, str]]] = {}
    for (code, name), level in zip(rows, levels, strict=True):
        if level == Level.TOWNSHIP:
            groups.setdefault(code, []).insert(0, (code, f"{name}（全镇）"))
            names = {**names, code: name}
        elif level == Level.VILLAGE:
            groups.setdefault(code[:9] + "000", []).append((code, name))
    return out + [(names.get(t, t), options) for t, options in groups.items()]

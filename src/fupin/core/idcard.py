"""Resident identity numbers (GB 11643-1999) for the registry (R-REG-2).

An 18-digit number is: 6 digits of region (the province is checked against the list of
provincial codes), 8 digits of birth date (YYYYMMDD), 3 digits of sequence (odd = male,
even = female) and a check character. The check character is
``"10X98765432"[Σ(dᵢ × wᵢ) mod 11]`` with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.

Worked example: 11010519491231002X — Σ = 167, 167 mod 11 = 2 → "X"; born 1949-12-31,
female (sequence 002). A 15-digit first-generation number (no century, no check
character) becomes 18 digits by inserting "19" after the region and appending the check
character: 110105491231002 → 11010519491231002X.

People type IDs with full-width digits and stray spaces: :func:`normalise` repairs those
before validation instead of rejecting them.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass

from fupin.core.errors import ValidationFailed

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
PROVINCES = frozenset(
    (
        "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
        "50 51 52 53 54 61 62 63 64 65 71 81 82 83 91"
    ).split()
)
_FULLWIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "X", "x": "X"})
_SPACES = dict.fromkeys(map(ord, " \t\r\n\u3000\u00a0\u200b\ufeff-"), None)


@dataclass(frozen=True, slots=True)
class IdNumber:
    value: str  # 18 characters
    birth_date: dt.date
    sex: str  # "男" | "女"
    region: str  # 6 digits

    @property
    def masked(self) -> str:
        return mask_id(self.value)


def normalise(raw: object) -> str:
    """Full-width digits to ASCII, spaces (ASCII, ideographic, non-breaking) and hyphens removed,
    a lower-case x made upper-case. Numbers typed into Excel cells arrive as ints; floats are
    refused later (they have lost digits)."""
    if raw is None:
        return ""
    if type(raw) is str and raw.isascii() and raw.isdigit():  # the usual case: nothing to repair
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return str(raw).translate(_SPACES).translate(_FULLWIDTH).upper()


def check_character(first17: str) -> str:
    return CHECK[sum(map(operator.mul, map(int, first17), WEIGHTS)) % 11]


def upgrade_15(value: str) -> str:
    """First-generation 15-digit number to 18 digits (born in the 1900s)."""
    first17 = value[:6] + "19" + value[6:]
    return first17 + check_character(first17)


def parse(raw: object, *, today: dt.date | None = None) -> IdNumber:
    """Validate and normalise an ID number; raise :class:`ValidationFailed` saying what is wrong."""
    if isinstance(raw, float) or (isinstance(raw, int) and not isinstance(raw, bool) and raw >= 10**15):
        raise ValidationFailed(
            "证件号码被 Excel 存成了数字，末尾几位已丢失，请将该列设为文本后重新填写", code="id_float"
        )
    value = normalise(raw)
    if not value:
        raise ValidationFailed("证件号码为空", code="id_empty")
    if len(value) == 15 and value.isdigit():
        value = upgrade_15(value)
    if len(value) != 18:
        raise ValidationFailed(f"证件号码应为18位（或15位旧号），实际 {len(value)} 位", code="id_length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationFailed("证件号码只能由数字组成，最后一位可以是 X", code="id_chars")
    if value[:2] not in PROVINCES:
        raise ValidationFailed(f"证件号码的地区码“{value[:6]}”不是有效的省级代码", code="id_region")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationFailed(f"证件号码中的出生日期“{value[6:14]}”不是有效日期", code="id_birth") from None
    if born.year < 1900 or (today is not None and born > today):
        raise ValidationFailed(f"证件号码中的出生日期“{born.isoformat()}”不合理", code="id_birth")
    expected = check_character(value[:17])
    if value[17] != expected:
        raise ValidationFailed(f"证件号码校验位错误：应为“{expected}”，实际为“{value[17]}”", code="id_check")
    return IdNumber(value=value, birth_date=born, sex="男" if int(value[16]) % 2 else "女", region=value[:6])


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` (a birthday on 29 February counts on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def mask_id(value: str) -> str:
    """110101********1234: region and last four only (R-REG-5)."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    """138****1234."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) >= 8 else "*" * len(value)

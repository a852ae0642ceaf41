import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core import idcard
from fupin.core.errors import ValidationFailed
from fupin.core.pii import Vault


def test_worked_example_check_character_x():
    """Docstring: 11010519491231002X — Σ = 167, 167 mod 11 = 2 → X; born 1949-12-31, female."""
    assert sum(int(c) * w for c, w in zip("11010519491231002", idcard.WEIGHTS, strict=True)) == 167
    p = idcard.parse("11010519491231002X")
    assert (p.birth_date, p.sex, p.region) == (dt.date(1949, 12, 31), "女", "110105")


def test_fifteen_digits_are_upgraded():
    assert idcard.parse("110105491231002").value == "11010519491231002X"


def test_full_width_digits_spaces_and_lower_x_are_normalised():
    assert idcard.parse(" １１０１０５ １９４９１２３１００２ｘ\u3000").value == "11010519491231002X"
    assert idcard.parse("110105-19491231-002x").value == "11010519491231002X"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("110105194912310021", "id_check"),
        ("11010519491331002X", "id_birth"),
        ("00010519491231002X", "id_region"),
        ("1101051949123100", "id_length"),
        ("11010519491231002A", "id_chars"),
        ("", "id_empty"),
        (1.1010519491231e17, "id_float"),
        (110105194912310021, "id_float"),
    ],
)
def test_bad_ids_say_what_is_wrong(raw, code):
    with pytest.raises(ValidationFailed) as e:
        idcard.parse(raw)
    assert e.value.code == code and e.value.message


def test_birth_in_the_future_is_refused():
    with pytest.raises(ValidationFailed):
        idcard.parse(_make("110105", dt.date(2030, 1, 1), "001"), today=dt.date(2026, 11, 27))


def _make(region: str, born: dt.date, seq: str) -> str:
    first = f"{region}{born:%Y%m%d}{seq}"
    return first + idcard.check_character(first)


@given(
    st.sampled_from(sorted(idcard.PROVINCES)),
    st.dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)),
    st.integers(0, 999),
)
def test_every_generated_id_parses_and_gives_back_its_parts(prov, born, seq):
    value = _make(prov + "0101", born, f"{seq:03d}")
    p = idcard.parse(value)
    assert p.value == value and p.birth_date == born and p.sex == ("男" if seq % 2 else "女")
    assert idcard.mask_id(value) == value[:6] + "********" + value[-4:]
    wrong = value[:17] + ("0" if value[17] != "0" else "1")
    with pytest.raises(ValidationFailed):
        idcard.parse(wrong)


def test_masks():
    assert idcard.mask_id("11010519491231002X") == "110105********002X"
    assert idcard.mask_phone("13800001234") == "138****1234"


def test_age():
    assert idcard.age_on(dt.date(1966, 11, 28), dt.date(2026, 11, 27)) == 59
    assert idcard.age_on(dt.date(1966, 11, 27), dt.date(2026, 11, 27)) == 60


def test_vault_round_trip_random_nonce_and_stable_index():
    v = Vault("a-test-data-key-of-enough-length")
    a, b = v.encrypt("13800001234"), v.encrypt("13800001234")
    assert a != b and b"13800001234" not in a
    assert v.decrypt(a) == v.decrypt(b) == "13800001234"
    assert v.index("13800001234") == v.index("13800001234") != v.index("13800001235")
    assert Vault("another-data-key-of-enough-len").index("13800001234") != v.index("13800001234")

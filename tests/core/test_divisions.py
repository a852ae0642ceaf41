import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core import divisions as d
from fupin.core.errors import ValidationFailed


@pytest.mark.parametrize(
    "code, level",
    [
        ("110000000000", d.Level.PROVINCE),
        ("110100000000", d.Level.CITY),
        ("110101000000", d.Level.COUNTY),
        ("110101001000", d.Level.TOWNSHIP),
        ("110101001002", d.Level.VILLAGE),
    ],
)
def test_level_of(code, level):
    assert d.level_of(code) == level
    assert len(d.prefix_of(code)) == level.prefix_length


@pytest.mark.parametrize(
    "bad",
    ["", "1101", "11010100100", "1101010010021", "11010100100a", "000000000000", "１１０１０１００１００２"],
)
def test_bad_format_is_refused_in_chinese(bad):
    with pytest.raises(ValidationFailed) as e:
        d.level_of(bad)
    assert "区划代码" in e.value.message
    assert e.value.code == "division_code_format"


def test_village_code_must_start_with_its_townships():
    assert d.check_child("110101001000", "110101001002") == d.Level.VILLAGE
    with pytest.raises(ValidationFailed) as e:
        d.check_child("110101001000", "110101002003")
    assert e.value.code == "division_prefix"
    assert "110101001" in e.value.message


def test_child_must_be_exactly_one_level_below():
    with pytest.raises(ValidationFailed) as e:
        d.check_child("110101000000", "110101001002")
    assert e.value.code == "division_level"


def test_ancestors():
    assert d.ancestors("110101001002") == ["110000000000", "110100000000", "110101000000", "110101001000"]
    assert d.ancestors("110000000000") == []


def test_contains():
    assert d.contains("110101000000", "110101001002")
    assert d.contains("110101001002", "110101001002")
    assert not d.contains("110101001000", "110101002001")
    assert not d.contains("110101001002", "110101001003")


village_codes = st.builds(
    lambda p, c, k, t, v: f"{p:02d}{c:02d}{k:02d}{t:03d}{v:03d}",
    st.integers(11, 99),
    st.integers(1, 99),
    st.integers(1, 99),
    st.integers(1, 999),
    st.integers(1, 999),
)


@given(village_codes)
def test_every_ancestor_contains_the_village_and_is_its_parent_chain(code):
    chain = [*d.ancestors(code), code]
    assert [d.level_of(c) for c in chain] == list(d.Level)
    for parent, child in zip(chain, chain[1:], strict=False):
        assert d.check_child(parent, child) == d.level_of(child)
        assert d.contains(parent, code)

"""Divisions in a picker's groups (issue 27 (7)): by name, counties first, each township with its
villages — the worked example of :func:`fupin.core.divisions.grouped`."""

from fupin.core.divisions import grouped


def test_the_worked_example():
    rows = [("529901000000", "县"), ("529901001000", "甲镇"), ("529901001001", "一村")]
    assert grouped(rows, {}) == [
        ("县", [("529901000000", "县")]),
        ("甲镇", [("529901001000", "甲镇（全镇）"), ("529901001001", "一村")]),
    ]


def test_a_village_cadre_sees_the_township_named_and_townships_alone_make_one_group():
    villages = [("529901001001", "一村"), ("529901001002", "二村"), ("529901002001", "三村")]
    names = {"529901001000": "甲镇", "529901002000": "乙镇"}
    assert grouped(villages, names) == [
        ("甲镇", [("529901001001", "一村"), ("529901001002", "二村")]),
        ("乙镇", [("529901002001", "三村")]),
    ]
    towns = [("529901001000", "甲镇"), ("529901002000", "乙镇")]
    assert grouped(towns, {}) == [("乡镇", towns)]
    above = [("520000000000", "省"), ("529901000000", "县")]
    assert grouped(above, {}) == [("县及以上", above)]

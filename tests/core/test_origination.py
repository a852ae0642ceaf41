"""Origination rules (DOMAIN §5): every reason at once, no skipped step, authority by
amount with maker-checker, quotas with the 25 % lead cap, the 7-day notice."""

import datetime as dt

import pytest

from fupin.core.errors import Conflict
from fupin.core.origination import (
    CHAIN,
    GroupRules,
    Quota,
    advance,
    application_problems,
    approver_role,
    deciders,
    group_ceiling_problem,
    maker_checker_problem,
    notice_end,
    quota_problems,
)
from fupin.core.products import preset


def test_every_reason_at_once():
    problems = application_problems(
        amount=6_000_000,
        term=7,
        preset=preset("subsidy"),
        credit_line=1_000_000,
        eligibility=[("R-ELG-1", "借款人年龄 62 岁，应在 18–60 岁之间")],
        purpose="gambling",
        project="",
    )
    rules = [p.rule for p in problems]
    assert rules == ["R-ELG-1", "R-APP-1", "R-APP-1", "R-RAT-2", "R-PRD-5"]
    assert "超过授信额度 10000.00 元" in problems[3].message and "50000.00 元" in problems[4].message
    ok = application_problems(
        amount=3_000_000,
        term=36,
        preset=preset("subsidy"),
        credit_line=3_000_000,
        eligibility=[],
        purpose="livestock",
        project="养牛 3 头",
    )
    assert ok == []
    group = application_problems(
        amount=3_000_000,
        term=6,
        preset=preset("group"),
        credit_line=3_000_000,
        eligibility=[],
        purpose="crops",
        project="种植烤烟",
    )
    assert [p.field for p in group] == ["term"]


def test_the_chain_cannot_be_skipped_and_a_rejection_ends_it():
    state = "submitted"
    for action, nxt, _ in CHAIN.values():
        with pytest.raises(Conflict):
            advance(state, "disburse" if action != "disburse" else "notice")
        state = advance(state, action)
        assert state == nxt
    assert state == "disbursed"
    assert advance("in_notice", "reject") == "rejected"
    with pytest.raises(Conflict) as e:
        advance("rejected", "county_approve")
    assert e.value.code == "application_closed"


def test_authority_by_amount_and_maker_checker():
    """approver_role docstring: 35 000.00 → branch director."""
    assert approver_role(2_999_999) == "loan_officer"
    assert approver_role(3_500_000) == "branch_director" and approver_role(3_000_000) == "branch_director"
    assert approver_role(4_000_000) == "head_office" and approver_role(5_000_000) == "head_office"
    assert maker_checker_problem(7, 7) and maker_checker_problem(7, 8) is None


def test_who_decides_an_amount_and_the_floor_of_a_change_to_a_loan():
    """deciders docstring: 45 000.00 → the head office alone; 12 000.00 with a director's floor →
    either director; a loan of 12 000.00 itself → the loan officer or above."""
    assert deciders(4_500_000) == ("head_office",)
    assert deciders(1_200_000, floor="branch_director") == ("branch_director", "head_office")
    assert deciders(1_200_000) == ("loan_officer", "branch_director", "head_office")
    assert deciders(3_500_000, floor="branch_director") == ("branch_director", "head_office")


def test_quota_worked_example_and_lead_cap():
    q = Quota(amount=100_000_000, households=40, deadline=dt.date(2026, 6, 30))
    on = dt.date(2026, 5, 1)
    over = quota_problems(
        q,
        used_amount=98_000_000,
        used_households=10,
        used_lead=0,
        amount=3_000_000,
        lead=False,
        new_household=True,
        on=on,
    )
    assert over == ["超出乡镇额度：额度 1000000.00 元，已用 980000.00 元，本笔 30000.00 元"]
    lead = quota_problems(
        q,
        used_amount=0,
        used_households=0,
        used_lead=24_000_000,
        amount=2_000_000,
        lead=True,
        new_household=True,
        on=on,
    )
    assert "250000.00 元（不超过乡镇额度的 25%）" in lead[0]
    separate = Quota(amount=100_000_000, households=None, lead_amount=10_000_000)
    assert (
        separate.lead_cap() == 10_000_000
        and Quota(100_000_000, None, lead_amount=50_000_000).lead_cap() == 25_000_000
    )
    assert quota_problems(
        separate,
        used_amount=0,
        used_households=0,
        used_lead=9_000_000,
        amount=2_000_000,
        lead=True,
        new_household=True,
        on=on,
    )
    late = quota_problems(
        q,
        used_amount=0,
        used_households=40,
        used_lead=0,
        amount=1,
        lead=False,
        new_household=True,
        on=dt.date(2026, 7, 1),
    )
    assert len(late) == 2
    assert (
        quota_problems(
            Quota(None, None),
            used_amount=10**12,
            used_households=10**6,
            used_lead=0,
            amount=1,
            lead=False,
            new_household=True,
            on=on,
        )
        == []
    )


def test_notice_lasts_seven_days():
    assert notice_end(dt.date(2026, 11, 2)) == dt.date(2026, 11, 8)
    assert notice_end(dt.date(2026, 11, 2), 10) == dt.date(2026, 11, 11)


def test_group_rules_every_reason():
    from fupin.core.origination import GroupRules, group_problems

    v = "529901001001"
    ok = [(i, v, []) for i in range(1, 6)]
    assert group_problems(village=v, leader=1, members=ok) == []
    four = group_problems(
        village=v,
        leader=9,
        members=[(1, v, []), (2, v, []), (3, "529901001002", []), (4, v, ["借款人没有劳动能力"])],
    )
    assert (
        len(four) == 4
        and "应有 5 户，现有 4 户" in four[0]
        and "必须同村" in four[2]
        and "没有劳动能力" in four[3]
    )
    assert group_problems(village=v, leader=1, members=ok[:3], rules=GroupRules(3, 10)) == []


def test_concentration_worked_example():
    from fractions import Fraction

    from fupin.core.origination import concentration

    assert concentration([(1, 4_000_000), (2, 1_000_000)]) == 1
    assert concentration([(h, 1_000_000) for h in range(5)]) == Fraction(2, 5)
    assert concentration([]) == 0


def test_lead_amount_worked_example():
    from fupin.core.origination import lead_problems

    assert lead_problems(amount=5_000_000, per_household=500_000, driven=12, ceiling=5_000_000) == []
    assert (
        "最多可贷 30000.00 元"
        in lead_problems(amount=4_000_000, per_household=500_000, driven=6, ceiling=5_000_000)[0]
    )
    assert "带动协议" in lead_problems(amount=1, per_household=500_000, driven=0, ceiling=5_000_000)[0]


def test_a_group_ceiling():
    """group_ceiling_problem docstring: 40 000.00 committed + 12 000.00 > 50 000.00."""
    rules = GroupRules()
    assert "超过小组上限 50000.00 元" in group_ceiling_problem(rules, "甲组", 4_000_000, 1_200_000)
    assert group_ceiling_problem(rules, "甲组", 4_000_000, 1_000_000) is None
    assert group_ceiling_problem(GroupRules(ceiling=None), "甲组", 10**9, 10**9) is None

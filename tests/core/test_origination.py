"""Origination rules (DOMAIN §5): every reason at once, no skipped step, authority by
amount with maker-checker, quotas with the 25 % lead cap, the 7-day notice."""

import datetime as dt

import pytest

from fupin.core.errors import Conflict
from fupin.core.origination import (
    CHAIN,
    Quota,
    advance,
    application_problems,
    approver_role,
    maker_checker_problem,
    notice_end,
    quota_problems,
)
from fupin.core.products import preset


def test_every_reason_at_once():
    problems = application_problems(amount=6_000_000, term=7, preset=preset("subsidy"), credit_line=1_000_000,
                                    eligibility=[("R-ELG-1", "借款人年龄 62 岁，应在 18–60 岁之间")], purpose="gambling",
                                    project="")
    rules = [p.rule for p in problems]
    assert rules == ["R-ELG-1", "R-APP-1", "R-APP-1", "R-RAT-2", "R-PRD-5"]
    assert "超过授信额度 10000.00 元" in problems[3].message and "50000.00 元" in problems[4].message
    ok = application_problems(amount=3_000_000, term=36, preset=preset("subsidy"), credit_line=3_000_000,
                              eligibility=[], purpose="livestock", project="养牛 3 头")
    assert ok == []
    group = application_problems(amount=3_000_000, term=6, preset=preset("group"), credit_line=3_000_000,
                                 eligibility=[], purpose="crops", project="种植烤烟")
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


def test_quota_worked_example_and_lead_cap():
    q = Quota(amount=100_000_000, households=40, deadline=dt.date(2026, 6, 30))
    on = dt.date(2026, 5, 1)
    over = quota_problems(q, used_amount=98_000_000, used_households=10, used_lead=0, amount=3_000_000, lead=False,
                          new_household=True, on=on)
    assert over == ["超出乡镇额度：额度 1000000.00 元，已用 980000.00 元，本笔 30000.00 元"]
    lead = quota_problems(q, used_amount=0, used_households=0, used_lead=24_000_000, amount=2_000_000, lead=True,
                          new_household=True, on=on)
    assert "25%（250000.00 元）" in lead[0]
    late = quota_problems(q, used_amount=0, used_households=40, used_lead=0, amount=1, lead=False, new_household=True,
                          on=dt.date(2026, 7, 1))
    assert len(late) == 2
    assert quota_problems(Quota(None, None), used_amount=10**12, used_households=10**6, used_lead=0, amount=1,
                          lead=False, new_household=True, on=on) == []


def test_notice_lasts_seven_days():
    assert notice_end(dt.date(2026, 11, 2)) == dt.date(2026, 11, 8)
    assert notice_end(dt.date(2026, 11, 2), 10) == dt.date(2026, 11, 11)

"""The banks' monthly data in numbers (issue 25 (3)): what the reconciliation worklist finds, and
what a corrected file changes."""

from __future__ import annotations

import datetime as dt

from fupin.core.feeds import FeedLoan, FeedRepayment, Known, diff, worklist

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def loan(no: str, amount: int, balance: int, start=dt.date(2026, 3, 1), status="normal") -> FeedLoan:
    return FeedLoan(0, no, "张三", "", "", start, dt.date(2027, 3, 1), amount, None, balance, 0, 0, status)


def paid(no: str, principal: int) -> FeedRepayment:
    return FeedRepayment(0, no, dt.date(2026, 11, 20), principal, 0, 0)


def test_the_worklist_finds_what_the_county_must_look_into():
    loans = [
        loan("A", 2_000_000, 750_000),  # 10 000 − 2 500 = 7 500: in order
        loan("B", 1_000_000, 800_000),  # 10 000 − 2 000 = 8 000: in order, but above its line
        loan("N", 500_000, 500_000, start=dt.date(2026, 11, 5)),  # new this month, nothing repaid
        loan("S", 3_000_000, 3_000_000),  # a stranger's, above any line
        loan("W", 1_000_000, 0, status="written_off"),  # written off: nothing to add up
    ]
    previous = {"A": (1_000_000, "normal"), "B": (1_000_000, "normal"), "D": (400_000, "overdue"),
                "X": (0, "settled")}  # fmt: skip
    known = {
        "A": Known(True, 3_000_000),
        "B": Known(True, 500_000),  # 10 000 lent on a 5 000 line
        "N": Known(True, None),  # never rated
        "S": Known(False, None),
        "W": Known(True, 1_000_000),
    }
    items = worklist(loans, [paid("A", 250_000), paid("B", 200_000), paid("Z", 10_000)], previous, known, NOV)
    found = {(i.kind, i.contract_no): i.amount for i in items}
    assert set(found) == {
        ("over_line", "B"),
        ("over_line", "N"),
        ("unregistered", "S"),
        ("dropped", "D"),
        ("unknown_repayment", "Z"),
    }
    assert ("unbalanced", "A") not in found  # 10 000 − 2 500 = 7 500: A adds up
    assert found[("over_line", "B")] == 500_000 and found[("over_line", "N")] == 500_000
    assert found[("unregistered", "S")] == 3_000_000 and found[("dropped", "D")] == 400_000
    assert found[("unknown_repayment", "Z")] == 10_000
    assert not any(no in ("X", "W") for _, no in found)  # settled last month; written off now


def test_a_balance_the_repayments_do_not_explain():
    items = worklist([loan("A", 2_000_000, 700_000)], [paid("A", 250_000)], {"A": (1_000_000, "normal")},
                     {"A": Known(True, 3_000_000)}, NOV)  # fmt: skip
    assert [(i.kind, i.amount) for i in items] == [("unbalanced", 50_000)]  # 10 000 − 2 500 − 7 000 = 500.00
    assert "期初 10000.00 − 本月还本 2500.00 = 7500.00 元，借据余额 7000.00 元" == items[0].message
    assert worklist([loan("A", 2_000_000, 700_000)], [], None, {"A": Known(True, 3_000_000)}, NOV) == []


def test_a_corrected_file_shows_what_it_changes():
    before = {"A": loan("A", 100, 50).facts(), "B": loan("B", 100, 80).facts()}
    after = {"A": loan("A", 100, 40).facts(), "C": loan("C", 100, 100).facts()}
    assert diff(before, after) == {"added": ["C"], "removed": ["B"], "changed": {"A": {"balance": [50, 40]}}}
    assert diff(before, before) == {"added": [], "removed": [], "changed": {}}


def test_a_files_contract_numbers_and_borrowers_are_checked_row_by_row():
    """Every bad row is named: a number missing, too long for the county to keep, or twice in the
    借据 file (a repayments file may name a loan twice); a borrower without a name or a valid ID."""
    from fupin.core.feeds import (
        LOAN_ALIASES,
        LOAN_COLUMNS,
        REPAYMENT_ALIASES,
        REPAYMENT_COLUMNS,
        read_loans,
        read_repayments,
    )
    from fupin.core.idcard import check_character
    from fupin.core.loanbook import map_columns

    number = "11010519491231001" + check_character("11010519491231001")
    head = [c.header for c in LOAN_COLUMNS]
    columns, problems = map_columns(head, LOAN_COLUMNS, LOAN_ALIASES)
    assert problems == []

    def row(no, name="张三", id_number=number):
        return [no, name, id_number, "", "2026-03-10", "2029-03-10", "1000", "", "1000", "", "", "", ""]

    rows = [row("JH1"), row("J" * 41), row("JH1"), row(""), row("JH5", name=""), row("JH6", id_number="123")]
    loans, bad = read_loans(enumerate(rows, 2), columns, dt.date(2026, 10, 31))
    assert [x.contract_no for x in loans] == ["JH1"]
    said = {(p.row, p.message) for p in bad}
    assert (3, "借据号过长（最多 40 个字符）") in said
    assert (4, "借据号“JH1”在文件中重复（第 2 行已有）") in said
    assert (5, "“借据号”不能为空") in said and (6, "“借款人姓名”不能为空") in said
    assert {p.row for p in bad} == {3, 4, 5, 6, 7}

    columns, _ = map_columns([c.header for c in REPAYMENT_COLUMNS], REPAYMENT_COLUMNS, REPAYMENT_ALIASES)
    paid = [["JH1", "2026-10-20", "10", "", "", ""], ["JH1", "2026-10-25", "10", "", "", ""],
            ["J" * 41, "2026-10-20", "10", "", "", ""]]  # fmt: skip
    repayments, bad = read_repayments(enumerate(paid, 2), columns, OCT, dt.date(2026, 10, 31))
    assert len(repayments) == 2 and [(p.row, p.message) for p in bad] == [(4, "借据号过长（最多 40 个字符）")]

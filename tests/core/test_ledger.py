"""The ledger's invariant (R-REP-6): balanced entries only, reversals undo, the trial balance
is always zero."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core.errors import ValidationFailed
from fupin.core.ledger import CHART, Entry, Posting, balance, check_entry, reversal, trial_balance

ACCOUNTS = {a.code: a for a in CHART}
DAY = dt.date(2026, 11, 27)


def test_worked_example_disbursement_with_upfront_interest_balances():
    """Module docstring: 20 000.00 lent, 1 % upfront interest."""
    e = Entry(
        DAY,
        "放款",
        (Posting("1301", debit=2_000_000), Posting("1011", credit=1_980_000), Posting("6011", credit=20_000)),
    )
    check_entry(e, ACCOUNTS)
    assert balance("asset", 2_000_000, 500_000) == 1_500_000 and balance("income", 0, 20_000) == 20_000


def test_an_unbalanced_or_malformed_entry_is_refused_with_every_problem():
    e = Entry(
        DAY,
        "x",
        (
            Posting("1301", debit=100),
            Posting("9999", credit=99),
            Posting("1011", debit=5, credit=5),
            Posting("1011", debit=-1),
        ),
    )
    with pytest.raises(ValidationFailed) as err:
        check_entry(e, ACCOUNTS)
    msgs = " ".join(p["message"] for p in err.value.details)
    assert (
        "科目“9999”不存在" in msgs
        and "只能填一个" in msgs
        and "非负的整数分" in msgs
        and "借贷不平衡" in msgs
    )
    assert err.value.code == "entry_unbalanced"
    with pytest.raises(ValidationFailed):
        check_entry(Entry(DAY, "x", (Posting("1301", debit=1),)), ACCOUNTS)
    with pytest.raises(ValidationFailed):  # fen are integers: 0.5 fen does not exist
        check_entry(Entry(DAY, "x", (Posting("1301", debit=1.5), Posting("1011", credit=1.5))), ACCOUNTS)  # type: ignore[arg-type]


amounts = st.integers(min_value=1, max_value=10**10)
codes = st.sampled_from(sorted(ACCOUNTS))


@st.composite
def entries(draw):
    """A random balanced entry: debits on some accounts, the same total split over credits."""
    debits = draw(st.lists(st.tuples(codes, amounts), min_size=1, max_size=4))
    total = sum(a for _, a in debits)
    cuts = sorted(
        draw(st.lists(st.integers(min_value=1, max_value=max(1, total - 1)), max_size=3, unique=True))
    )
    cuts = [c for c in cuts if 0 < c < total]
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    credits = [(draw(codes), p) for p in parts]
    return Entry(
        DAY,
        "随机",
        tuple([Posting(c, debit=a) for c, a in debits] + [Posting(c, credit=a) for c, a in credits]),
    )


@given(st.lists(entries(), min_size=1, max_size=20))
def test_the_trial_balance_of_balanced_entries_is_zero_and_reversals_undo(es):
    for e in es:
        check_entry(e, ACCOUNTS)
    rows = [(p.account, p.debit, p.credit) for e in es for p in e.postings]
    tb = trial_balance(rows)
    assert sum(line.debit for line in tb) == sum(line.credit for line in tb)
    undone = rows + [(p.account, p.debit, p.credit) for e in es for p in reversal(e, DAY, "冲正").postings]
    assert all(line.net == 0 for line in trial_balance(undone))

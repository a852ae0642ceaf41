"""fupin.compiled (issue 23): a model's rows by a few columns, within a jurisdiction, with the rows
their foreign keys point to, written once per process on PostgreSQL, are the rows — every field,
converted as the ORM converts it, in the model's order, the related rows set as ``select_related``
sets them — that the plain queryset gives; its writes (new rows, some columns of a row) are what
``bulk_create`` and ``save(update_fields=…)`` write. With the switch off, or on SQLite, they are
Django's own."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from fupin import compiled
from fupin.audit.models import AuditEntry
from fupin.demo import portfolio
from fupin.loans.models import Installment, Loan, Servicing
from tests.cob.conftest import today
from tests.ratings.conftest import rt  # noqa: F401

pytestmark = pytest.mark.sqlite  # the fallback is what SQLite runs


def fields(objects) -> list:
    return [(type(o), {f.attname: getattr(o, f.attname) for f in o._meta.concrete_fields}) for o in objects]


CASES = [
    (Installment, "loan", None, None),  # the model's order: loan, seq
    (Installment, "loan", ("-seq",), 3),
    (Loan, "household", None, None),  # a JSON field (terms) converted from what the database returns
    (Servicing, "loan", None, None),
]


def test_compiled_rows_are_the_querysets_rows(rt, settings):  # noqa: F811
    portfolio.generate_book(loans=30, on=today(), seed=9, overdue_share=0.3)
    loan = Loan.objects.order_by("pk").first()
    for model, where, order, limit in CASES:
        value = loan.household_id if where == "household" else loan.pk
        settings.FUPIN_COMPILED = True
        with CaptureQueriesContext(connection) as q:
            fast = compiled.rows(model, where={where: value}, order=order, limit=limit)
        settings.FUPIN_COMPILED = False
        plain = compiled.rows(model, where={where: value}, order=order, limit=limit)
        qs = model._default_manager.filter(**{where: value})
        qs = qs.order_by(*order) if order else qs
        expected = list(qs[:limit] if limit else qs)
        assert fast and fields(fast) == fields(plain) == fields(expected), model
        table = f'"{model._meta.db_table}".'
        assert len(q.captured_queries) == 1
        # on PostgreSQL the statement is ours (no ORM alias of a column); elsewhere the ORM's
        sql = q.captured_queries[0]["sql"]
        assert (f'{table}"id" AS' not in sql and "::text" not in sql) or connection.vendor != "postgresql"
    assert isinstance(compiled.rows(Loan, where={"household": loan.household_id})[0].terms, dict)


def test_an_ordering_only_the_orm_can_say_falls_back(rt, settings):  # noqa: F811
    portfolio.generate_book(loans=5, on=today(), seed=9)
    loan = Loan.objects.order_by("pk").first()
    settings.FUPIN_COMPILED = True
    rows = compiled.rows(Installment, where={"loan": loan.pk}, order=("loan__start", "seq"))
    assert [i.seq for i in rows] == sorted(i.seq for i in rows)


def test_joined_rows_within_a_jurisdiction_are_select_relateds(rt, settings):  # noqa: F811
    """A loan with its household, the household's village, its application and its disbursement
    entry (a key that may be null: an outer join), within prefixes; only some columns."""
    portfolio.generate_book(loans=12, on=today(), seed=9)
    loans = list(Loan.objects.order_by("pk"))
    village = loans[0].village_code
    related = ("household", "household__village", "application", "disbursement")
    for within in (
        (("village_code", None)),
        ("village_code", (village,)),
        ("village_code", (village[:9], "9")),
    ):
        for loan in loans:
            got = {}
            for switch in (True, False):
                settings.FUPIN_COMPILED = switch
                with CaptureQueriesContext(connection) as q:
                    got[switch] = compiled.first(
                        Loan, where={"pk": loan.pk}, within=within, related=related, order=()
                    )
                    if got[switch] is not None:  # no further query: the relations were set
                        assert got[switch].household.village.name and got[switch].application.term
                        assert got[switch].disbursement is None or got[switch].disbursement.pk
                assert len(q.captured_queries) == 1
            prefixes = within[1]
            inside = prefixes is None or any(loan.village_code.startswith(p) for p in prefixes)
            assert (got[True] is not None) == inside == (got[False] is not None)
            if inside:
                assert fields([got[True]]) == fields([got[False]]) == fields([loan])
                for path in ("household", "application", "disbursement"):
                    a, b = getattr(got[True], path), getattr(got[False], path)
                    assert (a is None and b is None) or fields([a]) == fields([b])
                assert fields([got[True].household.village]) == fields([got[False].household.village])
    settings.FUPIN_COMPILED = True
    assert compiled.rows(Loan, where={"pk": loans[0].pk}, within=("village_code", ())) == []
    # only some columns: the rest deferred (a later access would read it), the key always there
    slim = compiled.first(Loan, where={"pk": loans[0].pk}, fields=("village_code",), order=())
    assert slim.pk == loans[0].pk and slim.village_code == village
    assert slim.get_deferred_fields() == {f.attname for f in Loan._meta.concrete_fields} - {
        "id",
        "village_code",
    }
    # a key spelt through a relation's target (Household.SCOPE_FIELD) reads the row's own column
    hh = compiled.first(
        type(loans[0].household), where={"pk": loans[0].household_id}, within=("village__code", (village,))
    )
    assert hh == loans[0].household


@pytest.mark.parametrize("switch", [True, False])
def test_new_rows_and_changed_columns_are_djangos(rt, settings, switch):  # noqa: F811
    """Three audit rows (JSON, a null, ``auto_now_add``) written at once; then two columns of an
    instalment changed and nothing else; a row that is not there is an error, not a silent no-op."""
    portfolio.generate_book(loans=3, on=today(), seed=9)
    settings.FUPIN_COMPILED = switch
    made = [
        AuditEntry(
            action="test.compiled", object_type="x", object_id=str(n), after={"n": n, "s": "甲"}, ip=None
        )
        for n in range(3)
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as q:
        compiled.insert(made)
    assert len(q.captured_queries) == 1
    assert all(a.pk and a.at is not None for a in made)
    stored = {a.pk: a for a in AuditEntry.objects.filter(action="test.compiled")}
    assert fields(stored[a.pk] for a in made) == fields(made)
    assert [stored[a.pk].after for a in made] == [{"n": n, "s": "甲"} for n in range(3)]

    loan = Loan.objects.order_by("pk").first()
    row = Installment.objects.filter(loan=loan).order_by("seq").first()
    before = fields([row])
    row.interest_paid, row.penalty_paid, row.principal = 7, 3, 999_999  # principal changed, not written
    with transaction.atomic():
        compiled.update(row, ("interest_paid", "penalty_paid"))
    again = Installment.objects.get(pk=row.pk)
    assert (again.interest_paid, again.penalty_paid) == (7, 3)
    after = fields([again])[0][1]
    assert {k: v for k, v in after.items() if k not in ("interest_paid", "penalty_paid")} == {
        k: v for k, v in before[0][1].items() if k not in ("interest_paid", "penalty_paid")
    }
    gone = Installment(pk=10**9, loan=loan, seq=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        compiled.update(gone, ("interest_paid",))


def test_a_locked_read_locks(rt, settings):  # noqa: F811
    """``lock``: the loan's servicing row and the loan in one statement FOR UPDATE (PostgreSQL), as
    ``select_for_update`` with ``select_related`` would lock them."""
    portfolio.generate_book(loans=3, on=today(), seed=9)
    loan = Loan.objects.order_by("pk").first()
    for switch in (True, False):
        settings.FUPIN_COMPILED = switch
        with transaction.atomic(), CaptureQueriesContext(connection) as q:
            sv = compiled.first(Servicing, where={"loan": loan.pk}, related=("loan",), order=(), lock=True)
        assert sv.loan_id == loan.pk and sv.loan.contract_no == loan.contract_no
        assert len(q.captured_queries) == 1
        if connection.vendor == "postgresql":
            assert q.captured_queries[0]["sql"].rstrip().endswith("FOR UPDATE")

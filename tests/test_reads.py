"""fupin.reads (issue 23): a model's rows by one column, written once per process on PostgreSQL,
are the rows — every field, converted as the ORM converts it, in the model's order — that the
plain queryset gives; with the switch off, or on SQLite, they are the plain queryset's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin import reads
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
        settings.FUPIN_COMPILED_READS = True
        with CaptureQueriesContext(connection) as q:
            compiled = reads.rows(model, where=where, value=value, order=order, limit=limit)
        settings.FUPIN_COMPILED_READS = False
        plain = reads.rows(model, where=where, value=value, order=order, limit=limit)
        qs = model._default_manager.filter(**{where: value})
        qs = qs.order_by(*order) if order else qs
        expected = list(qs[:limit] if limit else qs)
        assert compiled and fields(compiled) == fields(plain) == fields(expected), model
        table = f'"{model._meta.db_table}".'
        assert len(q.captured_queries) == 1
        # on PostgreSQL the statement is ours (bare column names); elsewhere the ORM's (qualified)
        assert (table not in q.captured_queries[0]["sql"]) == (connection.vendor == "postgresql")
    assert isinstance(reads.rows(Loan, where="household", value=loan.household_id)[0].terms, dict)


def test_an_ordering_only_the_orm_can_say_falls_back(rt, settings):  # noqa: F811
    portfolio.generate_book(loans=5, on=today(), seed=9)
    loan = Loan.objects.order_by("pk").first()
    settings.FUPIN_COMPILED_READS = True
    rows = reads.rows(Installment, where="loan", value=loan.pk, order=("loan__start", "seq"))
    assert [i.seq for i in rows] == sorted(i.seq for i in rows)

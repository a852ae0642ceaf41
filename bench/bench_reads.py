"""One model's rows by loan three ways (issue 23): the ORM, raw SQL written once, a cursor.

The three ways: the ORM; ``Manager.raw`` with SQL written once from the model's ``_meta``; a
cursor and ``Model.from_db``.

On the load benchmark's database (the demo county, 5 000 households), in-process: the CPU a read
of a loan's instalments, repayments and events takes each way, over 200 active loans, the
second of two rounds. It measures what a compiled-read adapter (public APIs only) would save a
query; it is not used by the application.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench import openloop

ROOT = Path(__file__).resolve().parents[1]


def run() -> None:
    ready = openloop.prepared("bench.bench_load", "fupin_bench_load")
    if ready is None:
        return
    env, _ = ready
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_reads", "measure"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    for model, ways in json.loads(out.stdout.strip().splitlines()[-1]).items():
        print(f"   {model:<12} " + "  ".join(f"{way} {ms:.3f} ms" for way, ms in ways.items()))


def _sql(model, column: str, order: tuple[str, ...]) -> str:
    from django.db import connection

    q = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(q(f.column) for f in meta.concrete_fields)
    ordering = ", ".join(
        q(meta.get_field(o.lstrip("-")).column) + (" DESC" if o.startswith("-") else "") for o in order
    )
    where = f"{q(meta.get_field(column).column)} = %s"
    # names from the model's metadata only, quoted; the value is a bound parameter
    return f"SELECT {columns} FROM {q(meta.db_table)} WHERE {where}" + (  # noqa: S608
        f" ORDER BY {ordering}" if order else ""
    )


def measure() -> dict:
    import django

    django.setup()
    from django.db import connection

    from fupin.loans.models import Installment, Loan, LoanEvent, Repayment

    ids = list(Loan.objects.filter(state="active").order_by("pk").values_list("pk", flat=True)[:200])
    out = {}
    for model, order in ((Installment, ("seq",)), (Repayment, ("-id",)), (LoanEvent, ("-id",))):
        sql = _sql(model, "loan", order)
        names = [f.attname for f in model._meta.concrete_fields]

        def orm(pk, model=model, order=order):
            return list(model.objects.filter(loan_id=pk).order_by(*order))

        def raw(pk, model=model, sql=sql):
            return list(model.objects.raw(sql, [pk]))

        def cursor(pk, model=model, sql=sql, names=names):
            with connection.cursor() as c:
                c.execute(sql, [pk])
                return [model.from_db(connection.alias, names, r) for r in c.fetchall()]

        ways = {"ORM": orm, "raw": raw, "cursor+from_db": cursor}
        for _ in range(2):  # the first round warms the caches
            figures = {}
            for way, read in ways.items():
                start = time.process_time()
                for pk in ids:
                    read(pk)
                figures[way] = 1000 * (time.process_time() - start) / len(ids)
        out[model.__name__] = figures
    return out


if __name__ == "__main__":
    print(json.dumps(measure()))

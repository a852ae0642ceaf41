"""The first import of a large file on two processes gives exactly what the sequential
import gives, and still refuses a file with a problem that only the parent can see."""

import pytest

from fupin.households.importer import registry_import
from fupin.households.models import Household, HouseholdEvent, ImportBatch, Person
from fupin.households.pii import vault
from tests.registry_files import TEMPLATE, col, template_rows, write_xlsx

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county():
    from fupin.demo import county as demo

    return demo.build(households=1000, seed=3, with_registry=False)


def big_rows(villages, per_village=150):
    rows = []
    used: set[str] = set()
    for n, v in enumerate(villages):
        rows += template_rows(v, per_village, seed=n + 1, start=1, used=used)
    return rows


def snapshot():
    v = vault()
    return sorted(
        (
            p.household.registry_no,
            p.household.village_id,
            p.name,
            v.decrypt(p.id_cipher),
            p.is_head,
            p.relationship,
        )
        for p in Person.objects.select_related("household")
    )


def test_two_processes_give_the_same_registry_as_one(county, tmp_path, monkeypatch):
    from fupin.households import parallel

    streamed = []
    real_write = parallel._write
    monkeypatch.setattr(
        parallel, "_write", lambda children: streamed.append(len(children)) or real_write(children)
    )
    path = write_xlsx(tmp_path / "big.xlsx", TEMPLATE, big_rows(county.villages[:4]))
    batch = registry_import(acting_user=None, path=path, file_name=path.name, workers=2)
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems[:3]
    assert streamed == [2]  # the rows came from two worker processes
    parallel = snapshot()
    summary = batch.summary
    assert summary["new_households"] == 600 and Household.objects.count() == 600
    assert HouseholdEvent.objects.filter(kind="created").count() == 600
    again = registry_import(acting_user=None, path=path, file_name=path.name, workers=2)
    assert again.state == ImportBatch.State.IMPORTED and "没有变化" in again.stage, (
        again.summary
    )  # fell back: nothing new
    Person.objects.all().delete()
    HouseholdEvent.objects.all().delete()
    Household.objects.all().delete()
    one = registry_import(acting_user=None, path=path, file_name=path.name, workers=1)
    assert one.summary["new_persons"] == summary["new_persons"]
    assert snapshot() == parallel


def test_a_duplicate_id_across_partitions_is_refused_and_nothing_written(county, tmp_path, monkeypatch):
    """Two workers stream the same ID number: the unique index refuses the second mid-stream,
    and the file fails with the problem named (the row of each), not with a database error."""
    from fupin.core.registry import map_headers
    from fupin.households import parallel

    rows = big_rows(county.villages[:4])
    columns, _ = map_headers(TEMPLATE)
    parts = parallel.partitions(
        [TEMPLATE, *rows], 1, columns, 2
    )  # the same hashing as the import, in this process
    first = parts[0][0][0]  # an index in the list given: the sheet's row number less one
    other = next(i for h in parts[1] for i in h if rows[i - 1][col("与户主关系")] != "户主")
    rows[other - 1][col("证件号码")] = rows[first - 1][col("证件号码")]
    path = write_xlsx(tmp_path / "dup.xlsx", TEMPLATE, rows)
    refusals = []
    real_write = parallel._write

    def write(children):
        results, failure = real_write(children)
        refusals.append(failure)
        return results, failure

    monkeypatch.setattr(parallel, "_write", write)
    batch = registry_import(acting_user=None, path=path, file_name=path.name, workers=2)
    assert batch.state == ImportBatch.State.FAILED
    assert "id_index" in refusals[0]  # the database refused the second copy while it streamed
    rows_named = sorted((first + 1, other + 1))
    assert [(p["message"], p["row"]) for p in batch.problems] == [
        (f"证件号码与第 {rows_named[0]} 行重复", rows_named[1])
    ]
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_a_worker_dying_halfway_leaves_nothing_and_the_sequential_import_finishes(
    county, tmp_path, monkeypatch
):
    """One worker has already streamed its households when it fails: the parent rolls back
    what it wrote and imports the file on the sequential path, with the same result."""
    import os

    from fupin.households import reconcile

    parent = os.getpid()
    real = reconcile.Rows.new_persons

    def failing_in_a_worker(self, plan):
        if os.getpid() != parent:
            raise RuntimeError("worker killed")
        return real(self, plan)

    monkeypatch.setattr(reconcile.Rows, "new_persons", failing_in_a_worker)
    path = write_xlsx(tmp_path / "big.xlsx", TEMPLATE, big_rows(county.villages[:4]))
    batch = registry_import(acting_user=None, path=path, file_name=path.name, workers=2)
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems[:3]
    assert batch.summary["new_households"] == 600 and Household.objects.count() == 600
    assert Person.objects.count() == batch.summary["new_persons"]
    assert HouseholdEvent.objects.filter(kind="created").count() == 600

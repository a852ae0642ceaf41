"""The first import of a large file on two processes gives exactly what the sequential
import gives, and still refuses a file with a problem that only the parent can see."""

import pytest

from fupin.households.importer import registry_import
from fupin.households.models import Household, HouseholdEvent, ImportBatch, Person
from fupin.households.pii import vault
from tests.households.conftest import TEMPLATE, col, template_rows, write_xlsx

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
        (p.household.registry_no, p.household.village_id, p.name, v.decrypt(p.id_cipher), p.is_head, p.relationship)
        for p in Person.objects.select_related("household")
    )


def test_two_processes_give_the_same_registry_as_one(county, tmp_path, monkeypatch):
    from fupin.households import parallel

    moved = []
    real_move = parallel.move
    monkeypatch.setattr(parallel, "move", lambda batch: (moved.append(batch.pk), real_move(batch)))
    path = write_xlsx(tmp_path / "big.xlsx", TEMPLATE, big_rows(county.villages[:4]))
    batch = registry_import(acting_user=None, path=path, file_name=path.name, workers=2)
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems[:3]
    assert moved == [batch.pk]  # the rows came through the two-process path
    parallel = snapshot()
    summary = batch.summary
    assert summary["new_households"] == 600 and Household.objects.count() == 600
    assert HouseholdEvent.objects.filter(kind="created").count() == 600
    with __import__("django.db", fromlist=["connection"]).connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'fupin_stage_%%'")
        assert cur.fetchone()[0] == 0  # staging dropped
    again = registry_import(acting_user=None, path=path, file_name=path.name, workers=2)
    assert again.state == ImportBatch.State.IMPORTED and "没有变化" in again.stage, again.summary  # fell back: nothing new
    Person.objects.all().delete()
    HouseholdEvent.objects.all().delete()
    Household.objects.all().delete()
    one = registry_import(acting_user=None, path=path, file_name=path.name, workers=1)
    assert one.summary["new_persons"] == summary["new_persons"]
    assert snapshot() == parallel


def test_a_duplicate_id_across_partitions_is_refused_and_nothing_written(county, tmp_path):
    rows = big_rows(county.villages[:4])
    first_village = [r for r in rows if r[col("村代码")] == county.villages[0]]
    last_village = [r for r in rows if r[col("村代码")] == county.villages[3]]
    member = next(r for r in last_village if r[col("与户主关系")] != "户主")
    member[col("证件号码")] = first_village[0][col("证件号码")]
    path = write_xlsx(tmp_path / "dup.xlsx", TEMPLATE, rows)
    batch = registry_import(acting_user=None, path=path, file_name=path.name, workers=2)
    assert batch.state == ImportBatch.State.FAILED
    assert any("重复" in p["message"] for p in batch.problems)
    assert Household.objects.count() == 0 and Person.objects.count() == 0

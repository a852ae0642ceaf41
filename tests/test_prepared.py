"""Querysets compiled once (fupin.prepared, issue 11): the same objects as the ORM's own
queryset, any values, wrong uses refused at once, and on PostgreSQL a statement kept prepared."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from fupin.accounts import access
from fupin.core.errors import NotFound, NotPermitted
from fupin.households.importer import registry_import
from fupin.households.models import Household, HouseholdEvent, Person
from fupin.prepared import Prepared
from tests.conftest import OTHER_VILLAGE
from tests.registry_files import template_rows

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]  # prepared statements are kept on PostgreSQL only


@pytest.fixture
def registry(world, xlsx):
    rows = (
        template_rows(world.village, 8)
        + template_rows(world.other_village, 3, seed=4, start=100)
        + template_rows(OTHER_VILLAGE, 2, seed=5, start=200)
    )
    batch = registry_import(acting_user=None, path=xlsx(rows), file_name="r.xlsx")
    assert batch.state == "imported", batch.problems
    return list(Household.objects.order_by("pk"))


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def same(a, b) -> None:
    assert type(a) is type(b) and fields(a) == fields(b)
    assert not a._state.adding and a._state.db == b._state.db


HOUSEHOLD = Prepared(
    lambda *, pk: Household.objects.select_related("village", "village__parent").filter(pk=pk)
)
EVENTS = Prepared(
    lambda *, household: (
        HouseholdEvent.objects.filter(household_id=household)
        .select_related("actor", "batch")
        .order_by("-at", "-id")
    )
)


def test_the_same_objects_as_the_orm_related_ones_included(registry):
    for hh in registry:
        ours = HOUSEHOLD.first(pk=hh.pk)
        theirs = Household.objects.select_related("village", "village__parent").get(pk=hh.pk)
        same(ours, theirs)
        same(ours.village, theirs.village)
        same(ours.village.parent, theirs.village.parent)
        events, orm = (
            EVENTS(household=hh.pk),
            list(
                HouseholdEvent.objects.filter(household=hh)
                .select_related("actor", "batch")
                .order_by("-at", "-id")
            ),
        )
        assert [e.pk for e in events] == [e.pk for e in orm] and events
        for a, b in zip(events, orm, strict=True):
            same(a, b)
            same(a.batch, b.batch)
            assert a.actor is None and b.actor is None  # imported without a user
    assert HOUSEHOLD.first(pk=10**9) is None


def test_objects_built_at_once_behave_as_djangos(registry):
    # fupin.prepared puts a row's values straight into a new object's __dict__ (Model.from_db
    # walks every field): the objects must work as Django's do — deferred columns, foreign keys,
    # the related-object cache, saving as an update
    trimmed = Prepared(
        lambda *, pk: (
            Household.objects.select_related("village").only("registry_no", "village__name").filter(pk=pk)
        )
    )
    hh, other = registry[0], registry[-1]
    got = trimmed.first(pk=hh.pk)
    assert type(got) is Household and got.get_deferred_fields() >= {"main_cause", "member_count"}
    assert got.member_count == hh.member_count  # a deferred column: read when asked for
    assert got.village.name == hh.village.name and got.village_id == hh.village_id
    assert (
        not got._state.adding
        and got._state.db == "default"
        and got._state.fields_cache["village"] is got.village
    )
    got.village_id = other.village_id  # the foreign key's own attribute still drops the cached village
    assert got.village.code == other.village_id
    full = HOUSEHOLD.first(pk=hh.pk)
    full.member_count += 1
    full.save(update_fields=["member_count"])
    assert Household.objects.get(pk=hh.pk).member_count == hh.member_count + 1
    assert Household.objects.count() == len(registry)


def test_a_model_someone_watches_being_built_is_built_by_django(registry):
    from django.db.models.signals import post_init

    seen = []

    def watch(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(watch, sender=Person)
    try:
        people = Prepared(lambda *, village: Person.objects.filter(village_code=village).order_by("pk"))
        got = people(village=registry[0].village_id)
    finally:
        post_init.disconnect(watch, sender=Person)
    assert got and seen == [p.pk for p in got]


def test_values_of_every_kind_reach_the_sql(registry):
    people = Prepared(
        lambda village, *, born, name: (
            Person.objects.filter(village_code__startswith=village, birth_date__lt=born)
            .exclude(name=name)
            .order_by("pk")
        )
    )
    anyone = Person.objects.order_by("pk").first()
    for born in (dt.date(1960, 1, 1), dt.date(1990, 6, 30), dt.date(2030, 1, 1)):
        for village in (registry[0].village_id, registry[-1].village_id):
            got = people(village, born=born, name=anyone.name)
            expected = list(
                Person.objects.filter(village_code__startswith=village, birth_date__lt=born)
                .exclude(name=anyone.name)
                .order_by("pk")
            )
            assert [fields(p) for p in got] == [fields(p) for p in expected]
    assert {p.village_code for p in people(registry[0].village_id, born=dt.date(2030, 1, 1), name="")} == {
        registry[0].village_id
    }


def test_small_and_positive_integer_columns(registry):
    # (Django answers "nothing" without asking the database for a value outside a column's range:
    # a marker out of a smallint's range would have made the shape match nothing for ever)
    by_size = Prepared(
        lambda *, village, size: Household.objects.filter(village_id=village, member_count=size).order_by(
            "pk"
        )
    )
    for hh in registry:
        got = by_size(village=hh.village_id, size=hh.member_count)
        assert hh in got and got == list(
            Household.objects.filter(village_id=hh.village_id, member_count=hh.member_count).order_by("pk")
        )
    assert by_size(village=registry[0].village_id, size=0) == []


def test_wrong_uses_are_refused_when_first_called(registry):
    with pytest.raises(TypeError, match="make it part of the key"):  # startswith transforms the value
        Prepared(lambda *, prefix: Person.objects.filter(village_code__startswith=prefix))(prefix="5299")
    with pytest.raises(TypeError, match="cannot be a prepared value"):
        Prepared(lambda *, head: Person.objects.filter(is_head=head))(head=True)
    with pytest.raises(TypeError, match="plain model querysets"):
        Prepared(lambda *, pk: Person.objects.filter(pk=pk).values("name"))(pk=1)
    with pytest.raises(TypeError, match="changes the SQL"):  # a limit is written into the SQL
        Prepared(lambda *, n: Person.objects.all()[:n])(n=3)
    with pytest.raises(
        TypeError, match=r"pk must be int|pk \(str\): must be of the field's type"
    ):  # compiled or not
        HOUSEHOLD(pk=str(registry[0].pk))
    fresh = Prepared(lambda *, pk: Household.objects.filter(pk=pk))
    with pytest.raises(
        TypeError, match=r"pk \(str\): must be of the field's type"
    ):  # the first call compiles
        fresh(pk="12")
    assert Prepared(lambda *, pk: Person.objects.filter(Q(pk__in=[]), pk=pk))(pk=registry[0].pk) == []


def test_every_run_is_a_logged_query(registry):
    with CaptureQueriesContext(connection) as q:
        HOUSEHOLD(pk=registry[0].pk)
        HOUSEHOLD(pk=registry[1].pk)
    assert len(q.captured_queries) == 2 and all(
        "households_household" in x["sql"] for x in q.captured_queries
    )


def test_one_visible_object_within_the_jurisdiction_only(world, registry):
    one = access.VisibleOne(lambda: Household.objects.select_related("village"), "household.view")
    inside = next(h for h in registry if h.village_id == world.village)
    outside = next(h for h in registry if h.village_id == world.other_village)
    elsewhere = next(h for h in registry if h.village_id == OTHER_VILLAGE)
    cadre = world.user("village_cadre")
    assert (
        one.get(cadre, pk=inside.pk) == inside
        and one.get(world.user("poverty_office"), pk=inside.pk) == inside
    )
    with pytest.raises(NotFound):
        one.get(cadre, pk=outside.pk)
    with pytest.raises(NotFound):
        one.get(world.user("poverty_office"), pk=elsewhere.pk)  # the neighbouring county
    assert one.get(world.user("poverty_office"), pk=outside.pk) == outside
    with pytest.raises(NotPermitted):
        one.get(world.user("sysadmin"), pk=inside.pk)


def statements_prepared(like: str) -> int:
    """How many statements PostgreSQL keeps prepared on this connection whose text is LIKE ``like``."""
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [like])
        return cur.fetchone()[0]


@pytest.mark.pgonly
def test_postgresql_keeps_the_statement_prepared(registry, settings):
    def prepared() -> int:
        return statements_prepared('%"households_household"%')

    before = prepared()
    HOUSEHOLD(pk=registry[0].pk)
    HOUSEHOLD(pk=registry[1].pk)
    assert prepared() == before + 1  # one statement for both, planned by PostgreSQL once
    settings.FUPIN_DB_PREPARE = False
    plain = Prepared(lambda *, pk: Household.objects.filter(pk=pk))
    assert plain.first(pk=registry[2].pk) == registry[2] and prepared() == before + 1


def row_of(model, pk) -> dict:
    return {k: v for k, v in fields(model.objects.get(pk=pk)).items() if k not in ("id", "at")}


def test_an_insert_writes_what_django_writes(world, registry):
    # fupin.prepared.insert: the INSERT compiled once; the row, its id and the object's state as
    # Model.objects.create leaves them (auto_now_add, JSON, an IP address, foreign keys)
    from fupin.audit.models import AuditEntry
    from fupin.prepared import insert

    actor = world.user("village_cadre")
    for n in range(3):
        values = dict(
            actor=actor,
            actor_name="甲",
            action=f"test.{n}",
            object_type="households.Household",
            object_id=str(registry[n].pk),
            division_code=world.village,
            before=None,
            after={"金额": "1.00", "n": [n, None, True]},
            ip=f"10.0.0.{n}",
        )
        ours, theirs = insert(AuditEntry(**values)), AuditEntry.objects.create(**values)
        assert not ours._state.adding and ours._state.db == "default" and ours.pk and ours.pk != theirs.pk
        assert ours.at is not None and abs((ours.at - theirs.at).total_seconds()) < 5
        assert row_of(AuditEntry, ours.pk) == row_of(AuditEntry, theirs.pk)
        assert AuditEntry.objects.get(pk=ours.pk).at == ours.at


def test_an_insert_keeps_djangos_rules(registry):
    from django.db import IntegrityError, transaction
    from django.db.models.signals import post_save

    from fupin.prepared import insert

    copy = Household.objects.get(pk=registry[0].pk)
    copy.pk = None
    copy._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():  # the same household number twice
        insert(copy)
    copy.registry_no = "NEW-0001"
    seen = []

    def watch(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    post_save.connect(watch, sender=Household)  # someone listens: Django's own save
    try:
        saved = insert(copy)
    finally:
        post_save.disconnect(watch, sender=Household)
    assert seen == [(saved.pk, True)] and Household.objects.filter(registry_no="NEW-0001").count() == 1
    again = Household.objects.get(pk=registry[1].pk)
    again.pk, again._state.adding, again.registry_no = None, True, "NEW-0002"
    assert fields(insert(again)) == fields(Household.objects.get(registry_no="NEW-0002"))


@pytest.mark.pgonly
def test_postgresql_keeps_the_insert_prepared(world):
    from fupin.audit.models import AuditEntry
    from fupin.prepared import insert

    def prepared() -> int:
        return statements_prepared('INSERT INTO "audit_auditentry"%')

    before = prepared()
    for n in range(3):
        insert(AuditEntry(actor_name="甲", action=f"test.{n}", after={"n": n}))
    # (the demo county's audit entries may have prepared it already): one statement for them all
    assert (
        before in (0, 1)
        and prepared() == 1
        and AuditEntry.objects.filter(action__startswith="test.").count() == 3
    )


UPDATED = (
    "natural_village",
    "income_total",
    "dangerous_house",
    "tags",
    "registered_on",
    "village",
    "updated_at",
)


def test_an_update_writes_what_django_writes(world, registry):
    # fupin.prepared.update: obj.save(update_fields=…) with the UPDATE compiled once — the same
    # columns written (auto_now, JSON, Decimal, a foreign key by name), the others left alone
    from decimal import Decimal

    from fupin.divisions.models import Division
    from fupin.prepared import update

    other = Division.objects.get(code=world.other_village)
    ours, theirs = (Household.objects.get(pk=h.pk) for h in registry[:2])
    before = ours.updated_at
    for h in (ours, theirs):
        h.natural_village, h.income_total, h.dangerous_house = "新村", Decimal("12345.67"), True
        h.tags, h.registered_on, h.village = ["低保", {"年": 2026}], dt.date(2026, 11, 29), other
        h.member_count = 99  # not among the fields: stays as it is in the database
    update(ours, UPDATED)
    theirs.save(update_fields=UPDATED)
    ours_now, theirs_now = (Household.objects.get(pk=h.pk) for h in (ours, theirs))
    for name in UPDATED[:-1]:
        assert getattr(ours_now, name) == getattr(theirs_now, name) == getattr(ours, name)
    assert ours_now.updated_at == ours.updated_at and ours.updated_at > before
    assert ours_now.member_count == registry[0].member_count and ours_now.village_id == world.other_village
    for _ in range(2):  # again, through the kept statement
        ours.income_total += 1
        update(ours, ("income_total",))
    assert Household.objects.get(pk=ours.pk).income_total == Decimal("12347.67")


def test_an_update_keeps_djangos_rules(registry):
    from django.db import DatabaseError, IntegrityError, transaction
    from django.db.models.signals import pre_save

    from fupin.prepared import update

    gone = Household.objects.get(pk=registry[0].pk)
    gone.pk = 10**9  # no such row: the error Django's save(update_fields=…) raises
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        update(gone, ("natural_village",))
    clash = Household.objects.get(pk=registry[1].pk)
    clash.registry_no = registry[2].registry_no  # the database's constraints still hold
    with pytest.raises(IntegrityError), transaction.atomic():
        update(clash, ("registry_no",))
    with pytest.raises(ValueError):  # a name that is no field: Django says so
        update(Household.objects.get(pk=registry[3].pk), ("no_such_field",))
    seen = []

    def watch(sender, instance, update_fields, **kwargs):
        seen.append((instance.pk, sorted(update_fields)))

    h = Household.objects.get(pk=registry[4].pk)
    h.natural_village = "被看着的"
    pre_save.connect(watch, sender=Household)  # someone listens: Django's own save
    try:
        update(h, ("natural_village",))
    finally:
        pre_save.disconnect(watch, sender=Household)
    assert seen == [(h.pk, ["natural_village"])]
    assert Household.objects.get(pk=h.pk).natural_village == "被看着的"


def test_a_few_rows_at_once_are_what_bulk_create_writes(world):
    from fupin.audit.models import AuditEntry
    from fupin.prepared import FEW, insert_rows

    actor = world.user("village_cadre")

    def entries(tag: str, n: int) -> list:
        return [
            AuditEntry(
                actor=actor,
                actor_name="甲",
                action=f"{tag}.{k}",
                object_type="households.Household",
                object_id=str(k),
                division_code=world.village,
                after={"金额": "1.00", "k": [k, None]},
                ip=f"10.0.1.{k}",
            )
            for k in range(n)
        ]

    def rows(tag: str) -> list:
        return [
            {k: v for k, v in row_of(AuditEntry, e.pk).items() if k != "action"}
            for e in AuditEntry.objects.filter(action__startswith=f"{tag}.").order_by("action")
        ]

    for i, n in enumerate((1, 3, 3, FEW, FEW + 4)):  # 3 twice: the kept statement; FEW + 4: bulk_create's way
        ours = entries(f"ours{i}", n)
        insert_rows(ours)
        AuditEntry.objects.bulk_create(entries(f"theirs{i}", n))
        assert all(not e._state.adding and e._state.db == "default" for e in ours)
        assert len(rows(f"ours{i}")) == n and rows(f"ours{i}") == rows(f"theirs{i}")
    assert all(e.at is not None for e in AuditEntry.objects.filter(action__startswith="ours"))
    insert_rows([])  # nothing to write: no statement


@pytest.mark.pgonly
def test_postgresql_keeps_the_update_and_the_rows_prepared(world, registry):
    from fupin.audit.models import AuditEntry
    from fupin.prepared import insert_rows, update

    before = (
        statements_prepared('UPDATE "households_household"%'),
        statements_prepared('INSERT INTO "audit_auditentry"%'),
    )
    for n, h in enumerate(registry[:3]):
        h.natural_village = f"村{n}"
        update(h, ("natural_village",))
        insert_rows([AuditEntry(actor_name="甲", action=f"rows.{n}.{k}") for k in range(2)])
    assert statements_prepared('UPDATE "households_household"%') == before[0] + 1
    assert statements_prepared('INSERT INTO "audit_auditentry"%') == before[1] + 1
    assert [
        h.natural_village
        for h in Household.objects.filter(pk__in=[h.pk for h in registry[:3]]).order_by("pk")
    ] == ["村0", "村1", "村2"]

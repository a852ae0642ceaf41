"""The credit-information service (R-CRD-1 … 3): a source's import is all or nothing and idempotent;
a query without the household's consent is refused and still logged; adverse records vanish
five years after they ended; the credit file goes out and comes back; lead households and
cooperatives are rated on their own cards."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from fupin.audit.models import AuditEntry
from fupin.coops import services as coops
from fupin.core import creditinfo as core
from fupin.core.errors import NotPermitted, ValidationFailed
from fupin.creditinfo import selectors, services
from fupin.creditinfo.models import CreditItem, Query
from fupin.households.models import Household
from tests.ratings.conftest import panel_user
from tests.registry_files import TEMPLATE, template_rows, write_xlsx

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

TODAY = dt.date.today()
HEADERS = ["证件号码", "类别", "项目", "内容", "信息日期", "不良记录", "不良行为终止日期"]


@pytest.fixture
def people(world, tmp_path):
    """Four households of the first village: (household, the head's ID number) each."""
    from fupin.households.importer import registry_import

    rows = template_rows(world.village, 4, seed=71, used=set())
    registry_import(
        acting_user=None, path=write_xlsx(tmp_path / "r.xlsx", TEMPLATE, rows), file_name="r.xlsx"
    )
    heads = [r[3] for r in rows if r[4] == "户主"]
    return list(
        zip(Household.objects.filter(village_id=world.village).order_by("registry_no"), heads, strict=True)
    )


def test_a_source_import_is_all_or_nothing_and_idempotent(world, people, tmp_path):
    cadre = world.user("village_cadre")
    (h1, id1), (h2, id2) = people[:2]
    spring, ended = (
        TODAY - dt.timedelta(days=270),
        TODAY.replace(year=TODAY.year - 5) - dt.timedelta(days=270),
    )
    good = [
        [id1, "经济信息", "耕地面积", "6 亩", f"{spring:%Y-%m-%d}", "否", ""],
        [
            id2,
            "非银行信用信息",
            "合同履约",
            "未按合同交售烤烟",
            f"{ended - dt.timedelta(days=150):%Y-%m-%d}",
            "是",
            f"{ended:%Y-%m-%d}",
        ],
    ]
    bad = good + [
        [id1, "未知类别", "", "x", "2026-13-01", "也许", ""],
        ["110101199001011234", "经济信息", "a", "b", "2026-01-01", "否", ""],
    ]
    with pytest.raises(ValidationFailed) as e:
        services.items_import(
            acting_user=cadre,
            path=write_xlsx(tmp_path / "b.xlsx", HEADERS, bad),
            source="县农业农村局",
            file_name="b.xlsx",
        )
    where = {(p["row"], p["field"]) for p in e.value.details}
    assert {(4, "类别"), (4, "项目"), (4, "信息日期"), (4, "不良记录"), (5, "证件号码")} <= where
    assert CreditItem.objects.count() == 0  # nothing saved
    path = write_xlsx(tmp_path / "g.xlsx", HEADERS, good)
    assert services.items_import(acting_user=cadre, path=path, source="县农业农村局", file_name="g.xlsx") == 2
    assert services.items_import(acting_user=cadre, path=path, source="县农业农村局", file_name="g.xlsx") == 0
    item = CreditItem.objects.get(household=h2)
    assert (item.source, item.adverse, item.adverse_end) == ("县农业农村局", True, ended)
    with pytest.raises(ValidationFailed) as e:  # an unknown header and a missing column, both named
        services.items_import(
            acting_user=cadre,
            path=write_xlsx(tmp_path / "h.xlsx", ["证件号码", "颜色"], [[id1, "红"]]),
            source="县农业农村局",
            file_name="h.xlsx",
        )
    assert "颜色" in str(e.value.details) and "类别" in str(e.value.details)
    neighbour = panel_user("cadre_next_door", world.sibling_village)
    with pytest.raises(ValidationFailed) as e:  # households outside the cadre's village: 查无此人
        services.items_import(acting_user=neighbour, path=path, source="县农业农村局", file_name="g.xlsx")
    assert {(p["row"], p["field"]) for p in e.value.details} == {(2, "证件号码"), (3, "证件号码")}


def test_a_query_needs_the_households_consent_and_every_query_is_logged(world, people):
    officer, cadre = world.user("loan_officer"), world.user("village_cadre")
    household = people[0][0]
    with pytest.raises(NotPermitted) as e:
        services.credit_query(acting_user=officer, household=household, purpose="贷款审批")
    assert e.value.code == "consent_required"
    assert Query.objects.filter(household=household, allowed=False).count() == 1  # the refusal is logged
    consent = services.consent_record(
        acting_user=cadre,
        household=household,
        institution="FM000",
        document_no="授权 2026-01",
        granted_on=TODAY,
        expires_on=TODAY + dt.timedelta(365),
    )
    q = services.credit_query(acting_user=officer, household=household, purpose="贷款审批")
    assert q.allowed and q.consent == consent and q.institution == "富民县农村信用联社"
    services.consent_revoke(acting_user=cadre, consent=consent)
    with pytest.raises(NotPermitted):
        services.credit_query(acting_user=officer, household=household, purpose="贷后管理")
    services.credit_query(
        acting_user=cadre, household=household, purpose="信息维护"
    )  # the service's own operator
    log = list(selectors.queries(world.user("poverty_office")))
    assert [(x.purpose, x.allowed) for x in reversed(log)] == [
        ("贷款审批", False),
        ("贷款审批", True),
        ("贷后管理", False),
        ("信息维护", True),
    ]
    api = world.client("loan_officer").get(
        f"/api/v1/households/{household.pk}/credit-report?purpose=贷款审批"
    )
    assert api.status_code == 403 and api.json()["code"] == "consent_required"
    assert Query.objects.count() == 5


def test_adverse_records_are_hidden_five_years_after_they_ended(world, people):
    cadre = world.user("village_cadre")
    household = people[0][0]
    old_end = TODAY.replace(year=TODAY.year - 6)
    for name, end in [
        ("旧欠款", old_end),
        ("近期欠款", TODAY.replace(year=TODAY.year - 2)),
        ("未结欠款", None),
    ]:
        services.item_add(
            acting_user=cadre,
            household=household,
            source="村委会",
            category="nonbank",
            name=name,
            value="拖欠集体承包费",
            on=(end or TODAY) - dt.timedelta(days=30),
            adverse="是",
            adverse_end=end,
        )
    r = selectors.report(household, TODAY)
    shown = [i.name for _, items in r["categories"] for i in items]
    assert sorted(shown) == ["未结欠款", "近期欠款"] and r["hidden"] == 1
    page = world.client("village_cadre").get(f"/households/{household.pk}/credit/?purpose=信息维护")
    assert (
        page.status_code == 200
        and "近期欠款" in page.content.decode()
        and "旧欠款" not in page.content.decode()
    )
    api = (
        world.client("poverty_office")
        .get(f"/api/v1/households/{household.pk}/credit-report?purpose=审核")
        .json()
    )
    assert api["hidden"] == 1 and {i["name"] for i in api["items"]} == {"未结欠款", "近期欠款"}
    pdf = world.client("village_cadre").get(f"/households/{household.pk}/credit.pdf?purpose=打印")
    assert pdf.content[:4] == b"%PDF"
    assert core.shown(adverse=True, ended=old_end, on=TODAY) is False


def test_the_credit_file_goes_out_and_comes_back(world, people):
    office = world.client("poverty_office")
    (h1, id1), (h2, id2) = people[:2]
    services.item_add(
        acting_user=world.user("village_cadre"),
        household=h1,
        source="县农业农村局",
        category="economic",
        name="生猪存栏",
        value="12 头",
        on=TODAY,
    )
    out = office.get(f"/api/v1/households/{h1.pk}/credit-file").json()
    assert out["format"] == "fupin-credit-file/1" and out["households"][0]["id_number"] == id1
    assert out["households"][0]["items"][0]["name"] == "生猪存栏"
    again = office.post("/api/v1/credit-files", out, content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] == 0  # held already
    out["households"].append(
        {
            "id_number": id2,
            "items": [
                {
                    "category": "bank",
                    "name": "他行贷款",
                    "value": "已结清",
                    "source": "县农商行",
                    "on": "2025-01-01",
                    "adverse": False,
                }
            ],
        }
    )
    assert office.post("/api/v1/credit-files", out, content_type="application/json").json()["created"] == 1
    out["households"].append({"id_number": "110101199001011234", "items": []})
    refused = office.post("/api/v1/credit-files", out, content_type="application/json")
    assert refused.status_code == 422 and CreditItem.objects.count() == 2
    assert world.client("loan_officer").get(f"/api/v1/households/{h1.pk}/credit-file").status_code == 403


def test_lead_households_and_cooperatives_have_their_own_cards(world, people):
    office, cadre = world.user("poverty_office"), world.user("village_cadre")
    lead = services.entity_rate(acting_user=office, kind="lead", household=people[0][0], output=400_000)
    expected = core.score("lead", services.lead_facts(people[0][0], output=400_000, years=None, on=TODAY))
    assert (lead.total, lead.grade) == (expected.total, expected.grade)
    assert [x[0] for x in lead.lines] == [f.key for f in core.LEAD]
    coop = coops.coop_create(
        acting_user=cadre,
        village_code=world.village,
        name="",
        max_amount=500_000,
        max_term=12,
        fee_rate="0.06",
    )
    for h, _ in people[:3]:
        coops.member_join(acting_user=cadre, coop=coop, household=h)
    coops.capital_post(acting_user=office, coop=coop, kind="government", amount=15_000_000)
    coops.coop_loan_make(
        acting_user=cadre,
        coop=coop,
        household=people[0][0],
        amount=100_000,
        term=3,
        purpose="养鸡",
        decision="纪要",
    )
    r = world.client("poverty_office").post(
        "/api/v1/entity-ratings", {"kind": "coop", "coop_id": coop.pk}, content_type="application/json"
    )
    assert r.status_code == 201
    facts = services.coop_facts(coop, TODAY)
    assert facts["capital"] == 150_000 and r.json()["total"] == core.score("coop", facts).total
    assert (
        world.client("village_cadre")
        .post("/api/v1/entity-ratings", {"kind": "coop", "coop_id": coop.pk}, content_type="application/json")
        .status_code
        == 403
    )


def test_pages_for_the_service(world, people, tmp_path):
    office = world.client("poverty_office")
    page = office.get("/credit/")
    assert page.status_code == 200 and "查询日志" in page.content.decode()
    bad = write_xlsx(
        tmp_path / "bad.xlsx", HEADERS, [[people[0][1], "乱写", "a", "b", "2026-01-01", "否", ""]]
    )
    with open(bad, "rb") as f:
        r = world.client("village_cadre").post("/credit/import/", {"source": "县民政局", "file": f})
    assert (
        r.status_code == 422 and "整个文件没有导入" in r.content.decode() and "类别应为" in r.content.decode()
    )
    assert world.client("village_cadre").get("/credit/template.xlsx").status_code == 200
    body = {
        "source": "县民政局",
        "file_name": "g.xlsx",
        "content_base64": base64.b64encode(
            write_xlsx(
                tmp_path / "g.xlsx",
                HEADERS,
                [[people[0][1], "基本信息", "低保", "是", "2026-01-01", "否", ""]],
            ).read_bytes()
        ).decode(),
    }
    api = world.client("village_cadre").post(
        "/api/v1/credit-items/import", body, content_type="application/json"
    )
    assert api.status_code == 200 and api.json() == {"created": 1}
    archive = world.client("loan_officer").get(f"/households/{people[0][0].pk}/").content.decode()
    assert "查询授权" in archive and "查看信用报告" in archive
    assert json.loads(office.get(f"/households/{people[0][0].pk}/credit-file.json").content)["households"]


@pytest.mark.pgonly
def test_the_credit_file_export_outside_a_test_transaction(transactional_db, world, people):
    """As in production (no transaction around the request): the export and its audit row are
    one transaction — the API answered 500 ("audit_record must be called inside
    transaction.atomic") every time."""
    (h1, id1), _ = people[:2]
    office = world.client("poverty_office")
    r = office.get(f"/api/v1/households/{h1.pk}/credit-file")
    assert r.status_code == 200 and r.json()["households"][0]["id_number"] == id1
    page = office.get(f"/households/{h1.pk}/credit-file.json")
    assert page.status_code == 200 and id1 in page.content.decode()
    assert AuditEntry.objects.filter(action="credit.file_export", object_id=str(h1.pk)).count() == 2

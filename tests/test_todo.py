"""A to-do for every role on its home page (issue 27 (3)): the households left to score in an open
round, the applications at the reader's step — each with its count and link, gone once acted on —
and nobody sees another's step."""

from __future__ import annotations

import re

from fupin.loans import services as loans
from fupin.ratings import services as ratings
from tests.loans.conftest import hh  # noqa: F401 — rated households of the first village
from tests.ratings.conftest import (
    GOOD,
    rt,  # noqa: F401
)

ITEM = re.compile(r'<a href="([^"]+)"><span>([^<]+)</span> <strong class="count">(\d+)</strong>')


def shown(client) -> dict[str, tuple[int, str]]:
    """The home page's to-do: label -> (count, link)."""
    html = client.get("/").content.decode()
    section = html[html.index('id="todo"') :]
    section = section[: section.index("</section>")]
    return {label: (int(n), url) for url, label, n in ITEM.findall(section)}


def test_the_households_left_for_me_to_score(rt):  # noqa: F811
    w = rt.world
    rnd = rt.start()
    label = f"{rnd.village.name} 2026 年评级：待我评分"
    assert shown(w.client("village_cadre"))[label] == (3, f"/ratings/rounds/{rnd.pk}/")  # on the panel
    assert label not in shown(w.client("poverty_office"))  # not on it
    first = rnd.ratings.order_by("pk").first()
    ratings.sheet_submit(
        acting_user=w.user("village_cadre"),
        rating=first,
        values={**GOOD, "labour": str(first.facts.get("labour_count", 2))},
    )
    assert shown(w.client("village_cadre"))[label][0] == 2


def test_an_application_is_on_the_desk_of_the_next_step_only(rt, hh):  # noqa: F811
    w = rt.world
    officer = w.user("loan_officer")
    app = loans.application_create(
        acting_user=officer,
        household=hh,
        product="subsidy",
        purpose="livestock",
        project="养牛两头",
        amount=500_000,
        term=36,
    )
    step = "贷款申请待村委会与银行联合审查"
    assert shown(w.client("village_cadre"))[step] == (1, "/loans/applications/?mine=1")
    assert shown(w.client("loan_officer"))[step][0] == 1  # the bank's half of the joint review
    assert step not in shown(w.client("township_cadre"))
    loans.application_review(acting_user=w.user("village_cadre"), application=app, approve=True)
    r = w.client("loan_officer").post(
        f"/loans/applications/{app.pk}/review/", {"decision": "approve"}, follow=True
    )
    # the success says where the application stands, the next step and who takes it
    assert "已办理，申请村级已审查，待乡镇审核。下一步：乡镇审核，由乡镇干部办理" in r.content.decode()
    assert step not in shown(w.client("village_cadre"))  # acted on: gone
    assert shown(w.client("township_cadre"))["贷款申请待乡镇审核"][0] == 1  # now on the next desk
    assert "眼下没有等您办理的事项" in w.client("auditor").get("/").content.decode()


def test_back_to_back_scoring_goes_from_one_household_to_the_next(rt):  # noqa: F811
    """Issue 27 (4): after a sheet, the next household I have not scored; the round's list filtered
    to those; the round page's big button starts with the first; after the last, its own page."""
    w = rt.world
    rnd = rt.start()
    c = w.client("village_cadre")
    first, second, third = rnd.ratings.order_by("pk")
    page = c.get(f"/ratings/rounds/{rnd.pk}/").content.decode()
    assert f'class="button big" href="/ratings/{first.pk}/"' in page
    values = {**GOOD, "labour": str(first.facts.get("labour_count", 2))}
    r = c.post(f"/ratings/{first.pk}/", values)
    assert r.status_code == 302 and r["Location"] == f"/ratings/{second.pk}/"
    sheet = c.get(r["Location"]).content.decode()  # the sheet names whom it scores (issue 27 (1))
    assert second.household.members.get(is_head=True, left_on__isnull=True).name in sheet
    left = c.get(f"/ratings/rounds/{rnd.pk}/", {"left": "1"}).content.decode()
    assert first.household.registry_no not in left  # scored: not in the list of those left
    assert all(r.household.registry_no in left for r in (second, third))
    for rating in (second, third):
        r = c.post(f"/ratings/{rating.pk}/", {**GOOD, "labour": str(rating.facts.get("labour_count", 2))})
    assert r["Location"] == f"/ratings/{third.pk}/"  # the last one: its result, nothing left to score

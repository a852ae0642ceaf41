"""Journey: a village cadre scores a household back to back on a phone; the poverty office
drafts a new scorecard version, previews its effect and publishes it; the archive shows the
grade, the line and every eligibility reason."""

from __future__ import annotations

import pytest

from tests.e2e.test_registry import shot
from tests.e2e.test_roles import login

pytestmark = pytest.mark.e2e


def test_score_on_a_phone_then_new_scorecard_version(live_world, page, watch, output_path):
    from fupin.ratings.models import Rating, RatingRound

    demo, base = live_world
    rnd = RatingRound.objects.get(state="scoring")
    rating = rnd.ratings.filter(sheets_count=4).order_by("pk").first()  # the cadre is the last to score it
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, base, "cungan")
    page.goto(f"{base}/ratings/rounds/{rnd.pk}/")
    shot(page, output_path, "r0-round-phone")
    page.goto(f"{base}/ratings/{rating.pk}/")
    assert "背靠背评议" in page.content()
    for name, option in (
        ("truthful", "真实"),
        ("ability", "强"),
        ("project", "好"),
        ("neighbours", "和睦"),
        ("reputation", "好"),
    ):
        page.select_option(f"select[name={name}]", value=option)
    page.fill("input[name=resident]", "15")
    shot(page, output_path, "r1-scoring-form-phone")
    page.click("text=提交评分")
    page.wait_for_selector("text=评分已提交")
    rating.refresh_from_db()
    assert rating.state == Rating.State.SCORED and rating.score is not None
    page.goto(f"{base}/ratings/{rating.pk}/")  # the sheet took the member on to the next household
    assert "各成员评分" in page.content() and str(rating.score) in page.content()
    shot(page, output_path, "r2-scored-phone")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "fupinban")
    page.goto(f"{base}/ratings/scorecards/")
    page.click("text=篇2 信用户评级")
    page.click("text=生成新版本草稿")
    page.wait_for_selector("text=修改草稿")
    definition = page.input_value("textarea[name=definition]")
    page.fill("textarea[name=definition]", definition.replace('"base_line": "10000"', '"base_line": "12000"'))
    page.fill("input[name=note]", "一级信用户额度提高到 1.2 万")
    page.click("text=保存草稿")
    page.wait_for_selector("text=草稿已保存")
    page.click("text=预览对现有农户的影响")
    page.wait_for_selector("#preview")
    assert "额度上调" in page.content()
    shot(page, output_path, "r3-preview")
    page.click("text=发布此版本")
    page.wait_for_selector("text=已发布")

    from fupin.ratings.models import CreditLine

    holder = CreditLine.objects.filter(village_code=demo.villages[0]).order_by("household_id").first()
    page.goto(f"{base}/households/{holder.household_id}/")
    assert "准入条件" in page.content() and holder.grade_label in page.content()
    shot(page, output_path, "r4-archive-rating")
    assert [p for p in watch.problems if "HTTP 4" not in p] == []

"""The village kit on a phone with no signal (issue 27 (8)): the app opens from the phone with the
network off, sheets, a visit and a group's collection are taken and wait on the phone, they are
sent once when the signal returns, and what the server refuses meanwhile — a round closed, a loan
paid off — is shown with its reason and records nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.test_registry import shot
from tests.e2e.test_roles import login

pytestmark = pytest.mark.e2e


def open_kit(page, base: str, username: str) -> None:
    """Sign in on a phone, open the kit and wait until the phone holds it: the kit downloaded and
    the service worker in charge of the page. The phone's clock shows the server's business day."""
    from django.utils import timezone

    day = dt.datetime.combine(timezone.localdate(), dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    page.clock.set_fixed_time(day)
    page.set_viewport_size(PHONE)
    login(page, base, username)
    page.goto(f"{base}/field/")
    page.wait_for_selector("text=数据下载于")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def offline_reload(page) -> None:
    """No signal, and the app opened again: it comes from the phone."""
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#net:has-text('离线')")
    page.wait_for_selector("text=数据下载于")


def settled(page) -> None:
    """Wait until the phone has stopped talking to the server."""
    page.wait_for_selector("#field[data-busy='0']", state="attached")


def waiting(page) -> str:
    return page.inner_text("#waiting-count")


def test_score_and_visit_with_no_signal_then_send_and_see_a_refusal(live_world, page, watch, output_path):
    from fupin.households.models import Visit
    from fupin.ratings.models import RatingRound, ScoreSheet

    demo, base = live_world
    rnd = RatingRound.objects.get(state="scoring")
    open_kit(page, base, "cungan")
    offline_reload(page)
    left = page.locator("[data-rating]")
    first, second = (
        int(left.nth(0).get_attribute("data-rating")),
        int(left.nth(1).get_attribute("data-rating")),
    )
    left.nth(0).click()
    for select in page.locator("#score-form select").all():
        select.select_option(index=1)  # the best of each option
    for box in page.locator("#score-form input").all():
        if not box.input_value():
            box.fill("10")
    shot(page, output_path, "f1-score-offline-phone")
    page.click("text=记下，评下一户")
    assert waiting(page) == "待发送 1 条"
    assert page.locator("#score-form h2").inner_text().startswith("评分 · ")  # straight on to the next

    page.click("[data-tab=visit]")
    page.locator("[data-household]").first.click()
    page.select_option("#visit-form select[name=kind]", "after_loan")
    page.fill("#visit-form textarea[name=note]", "家中养鸡两百只，长势良好，还款无困难")
    page.click("text=记下走访")
    assert waiting(page) == "待发送 2 条"
    shot(page, output_path, "f2-two-waiting-phone")
    assert not ScoreSheet.objects.filter(rating_id=first, member__user__username="cungan").exists()

    page.context.set_offline(False)  # the signal returns: both are sent, once
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#waiting-count:has-text('待发送 0 条')")
    assert ScoreSheet.objects.filter(rating_id=first, member__user__username="cungan").count() == 1
    visit = Visit.objects.get(note="家中养鸡两百只，长势良好，还款无困难")
    assert visit.by.username == "cungan" and visit.kind == "after_loan"
    page.click("[data-tab=queue]")
    assert page.locator(".queue-sent").count() == 2
    shot(page, output_path, "f3-sent-phone")

    # a sheet taken with no signal while the township closes the round: refused, said plainly
    page.click("[data-tab=score]")
    page.context.set_offline(True)
    page.locator(f"[data-rating='{second}']").click()
    for select in page.locator("#score-form select").all():
        select.select_option(index=1)
    for box in page.locator("#score-form input").all():
        if not box.input_value():
            box.fill("10")
    page.click("text=记下，评下一户")
    assert waiting(page) == "待发送 1 条"
    RatingRound.objects.filter(pk=rnd.pk).update(state=RatingRound.State.SIGNED)
    rnd.ratings.filter(pk=second).update(state="scored")
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("text=未被接受 1 条")
    page.click("[data-tab=queue]")
    assert "该户的评议已结束，不能再评分" in page.inner_text(".queue-refused")
    shot(page, output_path, "f4-refused-phone")
    assert not ScoreSheet.objects.filter(rating_id=second, member__user__username="cungan").exists()
    page.click("text=知道了，删去")
    assert page.locator(".queue-refused").count() == 0
    assert [p for p in watch.problems if "409" not in p] == []  # the refusal, and nothing else


def test_a_group_meeting_collected_with_no_signal_is_posted_once(live_world, page, watch, output_path):
    from fupin.accounts.models import User
    from fupin.loans.models import Group, Loan, Repayment
    from fupin.loans.repayments import loan_payoff

    demo, base = live_world
    group = Group.objects.get(name="蔬菜联保组")
    open_kit(page, base, "xindai")
    before = Repayment.objects.count()
    offline_reload(page)
    page.click("[data-tab=collect]")
    page.click(f"[data-group='{group.pk}']")
    boxes = page.locator("#collect-form input")
    n = boxes.count()
    assert n >= 2
    for i in range(n):
        boxes.nth(i).fill("100.00")
    shot(page, output_path, "f5-collect-offline-phone")
    page.click("text=记下本次收款")
    assert waiting(page) == "待发送 1 条"
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#waiting-count:has-text('待发送 0 条')")
    settled(page)
    assert Repayment.objects.count() - before == n
    assert set(Repayment.objects.order_by("-pk")[:n].values_list("amount", flat=True)) == {10_000}  # in fen
    # the phone never got the answer and sends the sheet again: its key records each payment once
    page.evaluate(RESEND)
    page.reload()
    page.wait_for_selector("#waiting-count:has-text('待发送 0 条')")
    assert Repayment.objects.count() - before == n
    page.click("[data-tab=queue]")
    assert "此前已记录" in page.inner_text(".queue-sent")
    shot(page, output_path, "f6-resent-phone")

    # with no signal again, a second sheet; meanwhile one member pays the loan off at the branch
    page.context.set_offline(True)
    page.click("[data-tab=collect]")
    page.click(f"[data-group='{group.pk}']")
    loan_ids = [int(x.get_attribute("name")[5:]) for x in page.locator("#collect-form input").all()]
    page.click("text=记下本次收款")
    paid = Loan.objects.get(pk=loan_ids[0])
    loan_payoff(acting_user=User.objects.get(username="xindai"), loan=paid, key="branch-payoff-1")
    counted = Repayment.objects.count()
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("text=未被接受 1 条")
    page.click("[data-tab=queue]")
    said = page.inner_text(".queue-refused")
    assert "收款单有误，未登记任何还款" in said and f"贷款 #{paid.pk} 不在本小组的收款单上" in said
    assert Repayment.objects.count() == counted  # nothing of the refused sheet is recorded
    shot(page, output_path, "f7-collection-refused-phone")
    assert [p for p in watch.problems if "422" not in p] == []  # the refusal, and nothing else


RESEND = """() => {
  const q = JSON.parse(localStorage.getItem("fupin-field-queue"));
  q.forEach((e) => { e.state = "waiting"; });
  localStorage.setItem("fupin-field-queue", JSON.stringify(q));
}"""

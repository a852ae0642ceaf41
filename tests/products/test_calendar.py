"""The holiday arrangement (issue 24 (6), R-PRD-2): the bank products move a due date off a
weekend or holiday as Chinese banks do; the system administrator enters a year the calendar
package does not know, every process picks it up, and loans contracted after it follow it."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.audit.models import AuditEntry
from fupin.core import calendar as core_calendar
from fupin.core.products import PRESETS, preset
from fupin.core.schedule import generate
from fupin.products import calendar
from fupin.products.models import CalendarDay

D = dt.date


@pytest.fixture
def fresh_calendar():
    yield
    core_calendar.use_entered({})  # this process forgets what the test entered
    calendar._seen = None


def test_the_bank_products_move_a_due_date_off_a_holiday():
    """P-SUBSIDY settles on the 20th each quarter: 2026-06-20 is a Saturday (after the Dragon Boat
    Festival) — paid on Monday 2026-06-22, the interest still counted to the 20th."""
    s = generate(preset("subsidy").terms(principal=1_000_000, start=D(2026, 4, 1), term=12))
    k = s.due_dates.index(D(2026, 6, 22))
    assert s.accrual_dates[k] == D(2026, 6, 20)
    assert all(core_calendar.is_working_day(d) for d in s.due_dates)
    banks = {code for code, p in PRESETS.items() if p.defaults.get("holiday_shift") == "next"}
    assert banks == {"seasonal", "subsidy", "annual", "lead"}  # the group meets on its day (P-GROUP)


def test_an_administrator_enters_a_year_and_schedules_follow_it(world, fresh_calendar):
    # a year the package does not know whose 20 September (a settlement day) is Monday to Thursday
    year = next(y for y in range(core_calendar._calendar_years()[1] + 1, 9999) if D(y, 9, 20).weekday() < 4)
    day_off = D(year, 9, 20)
    admin, officer = world.user("sysadmin"), world.user("loan_officer")
    page = world.client("sysadmin")
    answer = page.post("/calendar/days/", {"date": f"{day_off}", "working": "0", "name": "中秋节"})
    assert answer.status_code == 302 and answer["Location"].endswith(f"?year={year}")
    assert CalendarDay.objects.filter(date=day_off, working=False).exists()
    assert AuditEntry.objects.filter(action="calendar.enter").exists()
    shown = page.get(f"/calendar/?year={year}").content.decode()
    assert "中秋节" in shown and "本年的放假安排已知" in shown
    assert (
        world.client("loan_officer").post("/calendar/days/", {"date": f"{day_off}", "name": "x"}).status_code
        == 403
    )
    twice = page.post(
        "/calendar/days/", {"date": f"{day_off}", "working": "0", "name": "中秋节"}, follow=True
    )
    assert "已登记" in twice.content.decode() and CalendarDay.objects.filter(date=day_off).count() == 1

    # another process, which loaded the calendar before the day was entered, picks it up
    core_calendar.use_entered({})
    calendar._seen = (0, None)
    calendar.sync()
    assert not core_calendar.is_working_day(day_off)
    start = D(year, 6, 1)
    terms = preset("subsidy").terms(principal=1_000_000, start=start, term=12)
    s = generate(terms)
    settle = day_off
    k = s.accrual_dates.index(settle)
    assert (
        s.due_dates[k] == core_calendar.next_working_day(day_off + dt.timedelta(days=1)) or settle != day_off
    )
    assert not any(d == day_off for d in s.due_dates)

    entered = CalendarDay.objects.get(date=day_off)
    page.post(f"/calendar/days/{entered.pk}/remove/")
    assert not CalendarDay.objects.exists()
    calendar.sync()
    assert core_calendar.is_working_day(day_off)
    assert officer.pk != admin.pk


@pytest.mark.django_db(transaction=True)
def test_entering_and_removing_commit_with_their_audit_rows(fresh_calendar):
    """Outside a test's own transaction (as on a server): the day and its audit row are written
    together, or neither."""
    from fupin.accounts.models import User

    admin = User.objects.create_superuser("kalender", password="x")
    day = calendar.day_enter(acting_user=admin, date=D(2031, 1, 2), working=False, name="元旦")
    assert AuditEntry.objects.filter(action="calendar.enter", object_id=str(day.pk)).exists()
    calendar.day_remove(acting_user=admin, pk=day.pk)
    assert not CalendarDay.objects.exists() and AuditEntry.objects.filter(action="calendar.remove").exists()

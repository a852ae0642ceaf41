"""The holiday arrangement the schedules use (R-PRD-2): the calendar package, and the days an
administrator enters for a year the package does not know yet (the State Council publishes each
year's arrangement in the autumn before) or to correct it.

Every process brings its calendar up to date with :func:`sync` (one query; the days are loaded
again only after a change) before it makes a schedule.
"""

from __future__ import annotations

import datetime as dt

from django.db import DatabaseError, IntegrityError, transaction

from fupin import compiled
from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core import calendar
from fupin.core.errors import Conflict, NotFound, ValidationFailed
from fupin.products.models import CalendarDay

_seen: tuple | None = None  # what this process last loaded: (how many days, the last entered)


def sync(*, optional: bool = False) -> None:
    """Use the days entered in this process's calendar, if they changed since it last looked.
    ``optional``: without a database (the schedule calculator run on its own) the package's
    calendar alone."""
    global _seen
    try:
        now = compiled.stamp(CalendarDay, "entered_at")
    except DatabaseError:
        if optional:
            return
        raise
    if now != _seen:
        calendar.use_entered(dict(CalendarDay.objects.values_list("date", "working")))
        _seen = now


def year(reader, year: int) -> dict:
    """A year's arrangement as the page shows it: whether the package knows it, the days entered,
    and the weekdays off and weekend working days the schedules will use."""
    access.require(reader, "calendar.view")
    sync()
    first = dt.date(year, 1, 1)
    days = [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]
    return {
        "year": year,
        "known": calendar.covered(year),
        "entered": list(CalendarDay.objects.filter(date__year=year).select_related("entered_by")),
        "weekdays_off": [d for d in days if d.weekday() < 5 and not calendar.is_working_day(d)],
        "weekends_working": [d for d in days if d.weekday() >= 5 and calendar.is_working_day(d)],
    }


def day_enter(*, acting_user, date: dt.date, working: bool, name: str) -> CalendarDay:
    """Enter one day of an arrangement; a day already entered is refused (remove it first)."""
    access.require(acting_user, "calendar.manage")
    if not isinstance(date, dt.date):
        raise ValidationFailed("请填写日期（YYYY-MM-DD）", code="calendar_day")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请写明节日或调休名称，如“春节”“国庆节调休”", code="calendar_name")
    if working and date.weekday() < 5:
        raise ValidationFailed(f"{date:%Y-%m-%d} 是工作日，无需登记为调休上班", code="calendar_day")
    try:
        with transaction.atomic():
            day = CalendarDay.objects.create(
                date=date, working=working, name=name[:40], entered_by=acting_user
            )
            audit_record(
                actor=acting_user,
                action="calendar.enter",
                obj=day,
                division_code="",
                after={"date": date, "working": working, "name": day.name},
            )
    except IntegrityError:
        raise Conflict(f"{date:%Y-%m-%d} 已登记，如需更正请先删除", code="calendar_day_exists") from None
    sync()
    return day


def day_remove(*, acting_user, pk: int) -> None:
    access.require(acting_user, "calendar.manage")
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(pk=pk).first()
        if day is None:
            raise NotFound("该日期未登记", code="not_found")
        audit_record(
            actor=acting_user,
            action="calendar.remove",
            obj=day,
            division_code="",
            before={"date": day.date, "working": day.working, "name": day.name},
        )
        day.delete()
    sync()

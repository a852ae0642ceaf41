"""Composing, holding and sending the messages people expect (issue 26 (7)).

After the nightly close of a day, :func:`compose` writes the next morning's messages, each once
(its ``key``): households get a reminder :data:`~django.conf.settings.FUPIN_SMS_REMIND_DAYS` days
before an instalment is due, a notice when their loan is 1, 7 and 30 days late
(``FUPIN_SMS_ARREARS_DAYS``), a notice of the subsidy credited to their account and of their
application approved; staff get their to-do (applications waiting for their step). A number that
opted out gets nothing — the message is logged as such. Nothing goes out in the quiet hours
(``FUPIN_SMS_QUIET``, 21:00–08:00): a message waits for their end. :func:`send_due` sends what
may go; a failed message is tried again at the next run, three times at most.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from fupin.accounts.models import User
from fupin.audit.services import audit_record
from fupin.core.idcard import mask_phone
from fupin.core.money import fmt
from fupin.households.models import Household, Person
from fupin.households.pii import vault
from fupin.loans.models import Installment, Loan, ReviewStep, Servicing
from fupin.sms.models import Message, OptOut
from fupin.sms.senders import SendFailed, sender
from fupin.sms.templates import render
from fupin.subsidies.models import Line
from fupin.todo import todo

MAX_ATTEMPTS = 3
UNPAID = F("principal") + F("interest") - F("principal_paid") - F("interest_paid")  # an instalment's, fen


# --- quiet hours ---------------------------------------------------------------------------------


def _quiet() -> tuple[dt.time, dt.time] | None:
    text = (settings.FUPIN_SMS_QUIET or "").strip()
    if not text:
        return None
    start, end = (dt.time.fromisoformat(x.strip()) for x in text.split("-"))
    return start, end


def quiet_at(when: dt.datetime) -> bool:
    q = _quiet()
    if q is None:
        return False
    t = timezone.localtime(when).time()
    start, end = q
    return (start <= t or t < end) if start > end else (start <= t < end)


def allowed_from(when: dt.datetime) -> dt.datetime:
    """``when``, or the end of the quiet hours it falls in."""
    if not quiet_at(when):
        return when
    _, end = _quiet()  # type: ignore[misc]
    local = timezone.localtime(when)
    day = local.date() if local.time() < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=local.tzinfo)


# --- opting out ----------------------------------------------------------------------------------


def opt_out(*, acting_user, household: Household, reason: str = "本人退订") -> int:
    """Every current member's number of the household stops getting notices."""
    indexes = [
        i for i in household.members.filter(left_on__isnull=True).values_list("phone_index", flat=True) if i
    ]
    with transaction.atomic():
        for i in indexes:
            OptOut.objects.get_or_create(
                phone_index=i, defaults={"household": household, "created_by": acting_user, "reason": reason}
            )
        audit_record(
            actor=acting_user, action="sms.opt_out", obj=household, division_code=household.village_id
        )
    return len(indexes)


def opt_in(*, acting_user, household: Household) -> int:
    indexes = list(household.members.values_list("phone_index", flat=True))
    with transaction.atomic():
        n, _ = OptOut.objects.filter(phone_index__in=[i for i in indexes if i]).delete()
        audit_record(
            actor=acting_user, action="sms.opt_in", obj=household, division_code=household.village_id
        )
    return n


def household_opted_out(household: Household) -> bool:
    return OptOut.objects.filter(
        phone_index__in=[
            i
            for i in household.members.filter(left_on__isnull=True).values_list("phone_index", flat=True)
            if i
        ]
    ).exists()


def recent(household: Household, limit: int = 5) -> list[Message]:
    """The household's latest messages (its own page shows them)."""
    return list(Message.objects.filter(household=household).order_by("-created_at", "-id")[:limit])


# --- composing -----------------------------------------------------------------------------------


class _Writer:
    """Messages of one run, written once each."""

    def __init__(self, now: dt.datetime) -> None:
        self.after = allowed_from(now)
        self.rows: list[Message] = []
        self.v = vault()
        self.out = set(OptOut.objects.values_list("phone_index", flat=True))  # read once a run

    def to_person(self, kind: str, key: str, hh: Household, head: Person | None, params: dict) -> None:
        name = head.name if head else hh.registry_no
        params = {"name": name, **params}
        row = Message(
            kind=kind,
            key=key,
            household=hh,
            village_code=hh.village_id,
            name=name,
            params=params,
            text=render(kind, params),
            send_after=self.after,
        )
        if head is None or not head.phone_cipher:
            row.state = Message.State.NO_PHONE
        else:
            row.phone_cipher, row.phone_masked = head.phone_cipher, head.phone_masked
            if head.phone_index in self.out:
                row.state = Message.State.OPTED_OUT
        self.rows.append(row)

    def to_user(self, kind: str, key: str, user: User, division: str, params: dict) -> None:
        name = user.get_full_name() or user.username
        params = {"name": name, **params}
        row = Message(
            kind=kind,
            key=key,
            user=user,
            village_code=division,
            name=name,
            params=params,
            text=render(kind, params),
            send_after=self.after,
            phone_cipher=self.v.encrypt(user.phone),
            phone_masked=mask_phone(user.phone),
        )
        if self.v.index(user.phone) in self.out:
            row.state = Message.State.OPTED_OUT
        self.rows.append(row)

    def write(self) -> int:
        before = Message.objects.count()
        Message.objects.bulk_create(self.rows, ignore_conflicts=True, batch_size=1000)
        return Message.objects.count() - before


def _heads(household_ids) -> dict[int, Person]:
    return {
        p.household_id: p
        for p in Person.objects.filter(
            household_id__in=list(household_ids), is_head=True, left_on__isnull=True
        )
    }


def _contact(loan: Loan) -> str:
    officer = loan.disbursed_by
    if officer is not None and officer.phone:
        return f"信贷员{officer.get_full_name() or officer.username} {officer.phone}"
    return str(loan.institution) if loan.institution_id else "信贷员"


def compose(closed: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """The messages after the close of ``closed`` (written once each: a run again adds none);
    returns how many of each kind it found and, under ``new``, how many of them were written now."""
    w = _Writer(now or timezone.now())
    counts: dict[str, int] = defaultdict(int)
    today = closed + dt.timedelta(days=1)

    # reminders: instalments due in REMIND_DAYS, not yet paid
    due_on = today + dt.timedelta(days=settings.FUPIN_SMS_REMIND_DAYS)
    owed = (
        Installment.objects.filter(due_date=due_on, loan__state=Loan.State.ACTIVE)
        .filter(Q(principal_paid__lt=F("principal")) | Q(interest_paid__lt=F("interest")))
        .values("loan_id")
        .annotate(n=Sum(UNPAID))
    )
    amounts = {r["loan_id"]: r["n"] for r in owed}
    loans = list(
        Loan.objects.filter(pk__in=list(amounts)).select_related("household", "disbursed_by", "institution")
    )
    heads = _heads(x.household_id for x in loans)
    for loan in loans:
        w.to_person(
            "due_reminder",
            f"due:{loan.pk}:{due_on}",
            loan.household,
            heads.get(loan.household_id),
            {
                "contract": loan.contract_no,
                "due": f"{due_on.month}月{due_on.day}日",
                "amount": fmt(amounts[loan.pk]),
                "contact": _contact(loan),
            },
        )
        counts["due_reminder"] += 1

    # arrears: 1, 7 and 30 days late at the close
    days = settings.FUPIN_SMS_ARREARS_DAYS
    late = {closed - dt.timedelta(days=d): d for d in days}
    rows = list(
        Servicing.objects.filter(active=True, late_since__in=list(late)).select_related(
            "loan", "loan__household", "loan__disbursed_by", "loan__institution"
        )
    )
    unpaid = dict(
        Installment.objects.filter(loan_id__in=[s.loan_id for s in rows], due_date__lte=closed)
        .values("loan_id")
        .annotate(n=Sum(UNPAID))
        .values_list("loan_id", "n")
    )
    heads = _heads(s.loan.household_id for s in rows)
    for s in rows:
        dpd = late[s.late_since]
        w.to_person(
            "arrears",
            f"arrears:{s.loan_id}:{s.late_since}:{dpd}",
            s.loan.household,
            heads.get(s.loan.household_id),
            {
                "contract": s.loan.contract_no,
                "dpd": dpd,
                "amount": fmt(unpaid.get(s.loan_id) or 0),
                "contact": _contact(s.loan),
            },
        )
        counts["arrears"] += 1

    # subsidy credited to the households' accounts on the day
    credited = (
        Line.objects.filter(credited_on=closed, struck="").values("household_id").annotate(n=Sum("amount"))
    )
    per = {r["household_id"]: r["n"] for r in credited if r["n"]}
    households = Household.objects.in_bulk(list(per))
    heads = _heads(per)
    for hid, amount in per.items():
        hh = households[hid]
        w.to_person(
            "subsidy_credit",
            f"subsidy:{hid}:{closed}",
            hh,
            heads.get(hid),
            {
                "amount": fmt(amount),
                "on": f"{closed.month}月{closed.day}日",
                "account": hh.bank_account_masked[-4:] or "****",
            },
        )
        counts["subsidy_credit"] += 1

    # applications approved on the day
    steps = ReviewStep.objects.filter(action="bank_approve", approve=True, at__date=closed).select_related(
        "application", "application__household"
    )
    heads = _heads(s.application.household_id for s in steps)
    for s in steps:
        a = s.application
        w.to_person(
            "approved",
            f"approved:{a.pk}",
            a.household,
            heads.get(a.household_id),
            {"amount": fmt(a.amount), "term": a.term},
        )
        counts["approved"] += 1

    # staff: what waits for them (fupin.todo: rounds to score, applications, batches, claims …)
    for user in User.objects.filter(is_active=True).exclude(phone="").prefetch_related("roles"):
        waiting = todo(user, today)
        if not waiting:
            continue
        first = next(iter(user.roles.all()), None)
        w.to_user(
            "todo",
            f"todo:{user.pk}:{today}",
            user,
            first.division_id if first else "",
            {
                "count": sum(i.count for i in waiting),
                "items": "，".join(f"{i.label}{i.count}件" for i in waiting),
            },
        )
        counts["todo"] += 1
    written = w.write()
    return {**counts, "new": written}


# --- sending -------------------------------------------------------------------------------------


def send_due(now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send the queued messages that may go now (none in the quiet hours)."""
    now = now or timezone.now()
    done = {"sent": 0, "failed": 0}
    if quiet_at(now):
        return done
    v, out = vault(), sender()
    rows = list(
        Message.objects.filter(state=Message.State.QUEUED, send_after__lte=now).order_by("send_after", "id")[
            :limit
        ]
    )
    for m in rows:
        m.attempts += 1
        try:
            m.provider_ref = out.send(v.decrypt(m.phone_cipher), m.text, m.kind, m.params)[:64]
            m.state, m.sent_at, m.error = Message.State.SENT, timezone.now(), ""
            done["sent"] += 1
        except SendFailed as e:
            m.error = str(e)[:200]
            if m.attempts >= MAX_ATTEMPTS:
                m.state = Message.State.FAILED
            done["failed"] += 1
        m.save(update_fields=["attempts", "provider_ref", "state", "sent_at", "error"])
    return done

"""A household's archive (一户一档, R-REG-2): one page that gathers what every app knows of the
household — the registry, its rating and credit line, applications, subsidies, the risk fund's
claims and legal actions, credit information. It sits above the apps it reads (it is the site's,
not the registry's), so none of them needs to know of the others."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core.creditinfo import CATEGORIES
from fupin.core.eligibility import EXCLUSIONS
from fupin.creditinfo import selectors as credit_selectors
from fupin.divisions import selectors as division_selectors
from fupin.feeds import selectors as feed_selectors
from fupin.households import selectors, services
from fupin.households.visits import visits_of
from fupin.loans import selectors as loan_selectors
from fupin.ratings import selectors as ratings
from fupin.riskfund.models import LegalAction
from fupin.riskfund.selectors import household_standing
from fupin.subsidies import selectors as subsidy_selectors


def _archive(request, pk: int) -> dict:
    """The archive's context: the registry part and the sections later capabilities fill."""
    ctx = selectors.household_archive(request.user, pk)
    hh = ctx["household"]
    hh.heads = [m for m in ctx["members"] if m.is_head]
    section = ratings.archive_rating(hh)
    ctx.update(section)
    ctx["eligibility"] = ratings.eligibility(hh, timezone.localdate(), section)
    ctx["may_reveal"] = access.may(request.user, "pii.reveal", hh)
    ctx["may_exclude"] = access.may(request.user, "exclusion.record", hh)
    ctx["may_publish_reputation"] = access.may(request.user, "reputation.publish", hh)
    ctx["applications"], loans = loan_selectors.household_applications(hh)
    ctx["may_apply"] = access.may(request.user, "application.create", hh)
    ctx["exclusion_choices"] = [(k, label) for k, (_, label) in EXCLUSIONS.items()]  # no rule ids (27 (2))
    ctx["status_history"] = selectors.status_history(ctx["events"])
    ctx["bank_loans"] = feed_selectors.household_loans(hh.pk)  # banks with their own core system
    ctx.update(_subsidy_and_fund(request.user, hh, loans, {x.contract_no for x in ctx["bank_loans"]}))
    ctx["may_claim"] = access.may(request.user, "fundclaim.submit", hh)
    ctx["bank_claimed"] = {
        c.contract_no for c in ctx["fund_claims"] if c.loan_id is None and c.state != "rejected"
    }
    ctx.update(_credit(request.user, hh))
    may_visits = access.may(request.user, "visit.view", hh)
    ctx["visits"] = list(visits_of(request.user, hh, 10)) if may_visits else []
    return ctx


def _credit(user, hh) -> dict:
    """The archive's credit-information section: consents and the forms (R-CRD-1, 2)."""
    may_consent = access.may(user, "credit.consent", hh)
    return {
        "credit_consents": credit_selectors.household_consents(hh)
        if may_consent or access.may(user, "credit.view", hh)
        else [],
        "may_credit_report": access.may(user, "credit.view", hh) or access.may(user, "credit.query", hh),
        "may_consent": may_consent,
        "may_credit_record": access.may(user, "credit.record", hh),
        # the lenders serving the village (a bank's staff: their own), whom the household may authorise
        "institutions": division_selectors.lender_choices(user, hh.village_id) if may_consent else [],
        "credit_categories": CATEGORIES,
    }


def _subsidy_and_fund(user, hh, loans: list[int], bank_loans: set[str]) -> dict:
    """The archive's section of subsidies, fund claims (on the household's ``loans`` and its loans at
    banks with their own core system, ``bank_loans``), the blacklist and legal actions."""
    standing = household_standing(hh, loans, bank_loans)
    return {
        "subsidy_lines": subsidy_selectors.household_lines(hh),
        "fund_claims": standing["claims"],
        "standing": standing,
        "blacklisted": any(b.lifted_on is None for b in standing["blacklist"]),
        "may_blacklist": access.may(user, "blacklist.decide", hh),
        "may_legal": access.may(user, "legal.record", hh),
        "legal_kinds": LegalAction.Kind.choices,
    }


@requires("household.view")
def household_detail(request, pk: int):
    return render(request, "households/archive.html", _archive(request, pk))


@require_POST
@requires("pii.reveal")
def household_reveal(request, pk: int):
    ctx = _archive(request, pk)
    shown = services.household_reveal(acting_user=request.user, household=ctx["household"])
    for m in ctx["members"]:
        m.id_shown = shown[m.pk]["id_number"]
        m.phone_shown = shown[m.pk]["phone"]
    ctx["bank_account_shown"] = shown.get(0, {}).get("bank_account", "")
    ctx["revealed"] = True
    return render(request, "households/archive.html", ctx)

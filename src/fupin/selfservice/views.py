"""The household's own pages, phone first: sign in with an ID number and a one-time code, then
its credit line, loans, schedule, next amount due, repayments and subsidies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts.backends import BACKEND
from fupin.accounts.decorators import requires
from fupin.core.errors import DomainError
from fupin.selfservice import selectors, services
from fupin.sms import services as sms


def me_login(request):
    """Step one: the ID number; the code goes to the phone on record."""
    if request.method != "POST":
        return render(request, "selfservice/login.html", {})
    id_number = request.POST.get("id_number", "")[:40]
    try:
        message = services.code_request(id_number=id_number)
    except DomainError as e:
        return render(
            request, "selfservice/login.html", {"error": e.message, "id_number": id_number}, status=422
        )
    return render(request, "selfservice/verify.html", {"message": message, "id_number": id_number})


@require_POST
def me_verify(request):
    id_number = request.POST.get("id_number", "")[:40]
    try:
        user = services.code_verify(id_number=id_number, code=request.POST.get("code", "")[:12])
    except DomainError as e:
        return render(
            request,
            "selfservice/verify.html",
            {"error": e.message, "id_number": id_number},
            status=e.http_status,
        )
    login(request, user, backend=BACKEND)
    return redirect("me")


@requires("selfservice.view")
def me(request):
    ctx = selectors.mine(request.user, timezone.localdate())
    ctx["sms_off"] = sms.household_opted_out(ctx["household"])
    ctx["recent_sms"] = sms.recent(ctx["household"])
    return render(request, "selfservice/me.html", ctx)


@require_POST
@requires("selfservice.view")
def me_sms(request):
    """The household switches its reminders and notices off (退订) or on again (issue 26 (7))."""
    household = selectors.household_of(request.user)
    if request.POST.get("receive") == "1":
        sms.opt_in(acting_user=request.user, household=household)
        messages.success(request, "已恢复短信提醒")
    else:
        sms.opt_out(acting_user=request.user, household=household)
        messages.success(request, "已退订短信提醒：不再收到还款提醒和通知（登录验证码不受影响）")
    return redirect("me")

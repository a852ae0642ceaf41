"""事件推送 pages (issue 26 (6)): the subscriptions, the delivery log, a test, an end."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fupin.accounts.decorators import requires
from fupin.core.errors import DomainError
from fupin.divisions.selectors import institution_choices, institution_pick, names, picker
from fupin.webhooks import services
from fupin.webhooks.models import EVENTS


@requires("webhook.manage")
def webhook_list(request):
    if request.method == "POST":
        f = request.POST
        try:
            sub, secret = services.subscription_create(
                acting_user=request.user,
                name=f.get("name", ""),
                url=f.get("url", "").strip(),
                events=f.getlist("events"),
                division_code=f.get("division", "").strip(),
                institution=institution_pick(request.user, "webhook.manage", f.get("institution") or None),
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            request.session["webhook_secret"] = {"name": sub.name, "secret": secret}
            return redirect("webhook_detail", sub.pk)
    subs = list(services.subscriptions_visible(request.user).order_by("-active", "-id")[:200])
    shown = names(s.division_code for s in subs)
    for s in subs:
        s.event_labels = [EVENTS.get(e, e) for e in s.events]
        s.division_name = shown.get(s.division_code, s.division_code)
    return render(
        request,
        "webhooks/list.html",
        {
            "subscriptions": subs,
            "events": EVENTS,
            "institutions": institution_choices(request.user, "webhook.manage"),
            "picker": picker(request.user, "webhook.manage"),
        },
    )


@requires("webhook.manage")
def webhook_detail(request, pk: int):
    sub = services.subscription_get(request.user, pk)
    return render(
        request,
        "webhooks/detail.html",
        {
            "sub": sub,
            "events": [EVENTS.get(e, e) for e in sub.events],
            "division_name": names([sub.division_code]).get(sub.division_code, sub.division_code),
            "rows": services.deliveries(sub, limit=50),
            "secret": request.session.pop("webhook_secret", None),
        },
    )


@require_POST
@requires("webhook.manage")
def webhook_test(request, pk: int):
    sub = services.subscription_get(request.user, pk)
    tried = services.subscription_test(acting_user=request.user, subscription=sub)
    if tried.status is not None and 200 <= tried.status < 300:
        messages.success(request, f"测试事件已送达（HTTP {tried.status}，{tried.ms} 毫秒）")
    else:
        messages.error(request, f"测试事件未送达：{tried.error or tried.status}")
    return redirect("webhook_detail", pk)


@require_POST
@requires("webhook.manage")
def webhook_end(request, pk: int):
    sub = services.subscription_get(request.user, pk)
    services.subscription_end(acting_user=request.user, subscription=sub)
    messages.success(request, "订阅已停用，不再推送")
    return redirect("webhook_list")

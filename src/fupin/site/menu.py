"""Navigation by role: each entry is shown only when the user may take its action."""

from __future__ import annotations

from django.urls import resolve, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fupin.accounts import access
from fupin.accounts.roles import ROLES

NAV = [
    ("home", _("首页"), "home.view"),
    ("me", _("我的贷款"), "selfservice.view"),
    ("household_list", _("农户档案"), "household.view"),
    ("rating_overview", _("评级授信"), "rating.view"),
    ("application_list", _("贷款申请"), "application.view"),
    ("collection_list", _("收款与逾期"), "collection.view"),
    ("field_app", _("村级离线包"), "field.use"),
    ("subsidy_overview", _("贴息与风险补偿"), "subsidy.view"),
    ("report_table", _("报表"), "report.view"),
    ("coop_list", _("互助社"), "coop.view"),
    ("credit_overview", _("信用信息"), "credit.report"),
    ("pay_sheet", _("绩效工资"), "pay.view"),
    ("ledger_trial_balance", _("总账"), "ledger.view"),
    ("division_list", _("行政区划"), "division.view"),
    ("calendar_year", _("节假日安排"), "calendar.manage"),
    ("benchmark_list", _("基准利率"), "benchmark.manage"),
    ("audit_list", _("审计日志"), "audit.view"),
    ("user_list", _("用户管理"), "user.view"),
    ("token_list", _("API 令牌"), "token.manage"),
    ("webhook_list", _("事件推送"), "webhook.manage"),
]


# the pages' own sub-menus: (URL name, query, label); each link shown only to those who may open
# its page — the action the page's view requires (fupin.accounts.decorators.requires), so no link
# leads to a 403 (issue 27 (7))
SUBNAV = {
    "cob": [
        ("collection_list", "", _("收款清单")),
        ("village_recovery", "", _("村回收率与暂停放款")),
        ("loan_events", "", _("展期/转据/核销")),
        ("cob_runs", "", _("日终批处理")),
    ],
    "loans": [
        ("application_list", "?mine=1", _("待我办理")),
        ("application_list", "", _("全部申请")),
        ("notice_list", "", _("公示")),
        ("quota_list", "", _("乡镇额度")),
        ("group_list", "", _("联保小组")),
        ("lender_list", "", _("贷款机构")),
    ],
    "ratings": [
        ("rating_overview", "", _("整村评级")),
        ("scorecard_list", "", _("评分表")),
        ("panel_list", "", _("评议小组")),
        ("credit_villages", "", _("信用村")),
        ("reputation_list", "", _("守信与失信名单")),
        ("unborrowed_list", "", _("应贷未贷")),
        ("rules_list", "", _("准入规则")),
    ],
    "reports": [
        ("report_table", "", _("官方报表")),
        ("report_indicators", "", _("指标与分布")),
        ("report_rankings", "", _("排名通报")),
        ("report_warning", "", _("风险预警")),
        ("report_simulate", "", _("政策模拟")),
    ],
    "subsidies": [
        ("subsidy_overview", "", _("贴息申报")),
        ("subsidy_register", "", _("贴息登记簿（附表8）")),
        ("riskfund_overview", "", _("风险补偿金")),
        ("blacklist_list", "", _("失信黑名单")),
    ],
}


def _opens(user, name: str) -> bool:
    """Whether ``user`` may open the page named ``name`` (the action its view requires, if any)."""
    action = getattr(resolve(reverse(name)).func, "fupin_action", None)
    return action is None or access.may(user, action)


def subnav(user) -> dict[str, str]:
    """Each sub-menu's links that ``user`` may open, as HTML."""
    return {
        group: format_html_join(
            " · ",
            '<a href="{}{}">{}</a>',
            ((reverse(n), q, label) for n, q, label in links if _opens(user, n)),
        )
        for group, links in SUBNAV.items()
    }


# (the user's roles, the language) -> the entries they may open and the roles' names: a menu
# depends on nothing else, and every page shows it
_MENUS: dict[tuple[tuple[str, ...], str], tuple[list[tuple[str, str, str]], list[str], dict[str, str]]] = {}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    codes = tuple(access.role_codes(user))
    key = (codes, get_language() or "")
    menu = _MENUS.get(key)
    if menu is None:
        entries = [
            (name, reverse(name), str(label)) for name, label, action in NAV if access.may(user, action)
        ]
        menu = _MENUS[key] = (entries, [str(ROLES[code].label) for code in codes], subnav(user))
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    links = _LINKS.get((key, current))
    if links is None:  # the page's own entry marked: written once per menu and page (docs/performance.md)
        links = _LINKS[(key, current)] = format_html_join(
            "",
            '<a href="{}"{}>{}</a>',
            ((url, _ACTIVE if name == current else "", label) for name, url, label in menu[0]),
        )
    # rule ids (R-SUB-3 …) beside the texts are for the auditor, who checks the system against them
    return {"nav_links": links, "role_labels": menu[1], "subnav": menu[2], "show_rules": "auditor" in codes}


_ACTIVE = mark_safe(' class="active" aria-current="page"')
_LINKS: dict[
    tuple[tuple[tuple[str, ...], str], str | None], str
] = {}  # (menu key, the page's URL name) -> links

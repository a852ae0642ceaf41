"""The UI shell: Chinese by default, English switch, navigation by role, division pages."""

import pytest
from django.test import Client

pytestmark = pytest.mark.sqlite  # make run serves the pages from SQLite


def test_login_page_is_chinese_by_default(db):
    html = Client().get("/login/").content.decode()
    assert 'lang="zh-CN"' in html and "扶贫小额信贷管理系统" in html and "登录" in html


def test_english_switch(world):
    c = world.client("poverty_office")
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = r.content.decode()
    assert 'lang="en"' in html
    assert "Poverty-alleviation microcredit" in html and "Divisions" in html
    r = c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True)
    assert "行政区划" in r.content.decode()


def test_navigation_by_role(world):
    auditor = world.client("auditor").get("/").content.decode()
    cadre = world.client("village_cadre").get("/").content.decode()
    household = world.client("household").get("/").content.decode()
    assert "审计日志" in auditor and "审计日志" not in cadre
    assert "行政区划" in cadre and "行政区划" not in household
    assert "API 令牌" in world.client("sysadmin").get("/").content.decode() and "API 令牌" not in auditor


def test_navigation_follows_a_role_change_and_the_language(world):
    from fupin.accounts.services import role_assign, role_revoke

    c = world.client("village_cadre")
    assert "审计日志" not in c.get("/").content.decode()  # the cadre's menu, now kept for these roles
    cadre, admin = world.user("village_cadre"), world.user("sysadmin")
    given = role_assign(acting_user=admin, user=cadre, role="auditor", division_code=world.village)
    html = c.get("/").content.decode()
    assert "审计日志" in html and "村干部、审计" in html
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Audit log" in c.get("/").content.decode()
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    role_revoke(acting_user=admin, assignment=given)
    assert "审计日志" not in c.get("/").content.decode()


def test_the_menu_is_the_loop_it_replaces_with_the_page_marked(world, rf):
    # fupin.site.menu writes the menu's links once per menu and page: the markup of the
    # template loop it replaces (escaping included), the current page's entry marked
    from django.template import Context, engines
    from django.urls import resolve, reverse

    from fupin.accounts import access
    from fupin.site.menu import NAV, navigation

    loop = engines["django"].engine.from_string(
        '{% for item in nav_items %}<a href="{{ item.url }}"{% if item.active %} class="active" '
        'aria-current="page"'
        "{% endif %}>{{ item.label }}</a>{% endfor %}"
    )
    user = world.user("sysadmin")
    for path in ("/", "/users/", "/audit/", "/healthz"):
        request = rf.get(path)
        request.user, request.resolver_match = user, resolve(path)
        links = navigation(request)["nav_links"]
        items = [
            {"url": reverse(name), "label": str(label), "active": name == request.resolver_match.url_name}
            for name, label, action in NAV
            if access.may(user, action)
        ]
        assert links == loop.render(Context({"nav_items": items})) and len(items) >= 3
        assert links.count('class="active"') == (path != "/healthz")


def test_home_shows_role_and_jurisdiction(world):
    html = world.client("township_cadre").get("/").content.decode()
    assert "乡镇干部" in html and world.township in html
    assert "应收财政贴息账龄" in html  # R-SUB-3 on the dashboard, empty in an empty county
    assert "应收财政贴息账龄" not in world.client("household").get("/").content.decode()


def test_division_browser_drills_down_within_scope(world):
    c = world.client("township_cadre")
    html = c.get("/divisions/").content.decode()
    assert world.township in html
    html = c.get(f"/divisions/{world.township}/").content.decode()
    assert world.village in html and world.sibling_village in html
    assert c.get(f"/divisions/{world.other_township}/").status_code == 404


def test_home_query_count_is_bounded(world, django_assert_max_num_queries):
    c = world.client("head_office")
    # the page's 15, and the to-do's counts (issue 27 (3)): one per kind of work the role does —
    # rounds to score, applications, today's collection, subsidy batches
    with django_assert_max_num_queries(19):
        assert c.get("/").status_code == 200


def test_error_pages_are_chinese(world):
    r = world.client("village_cadre").get("/audit/")
    assert r.status_code == 403 and "没有权限" in r.content.decode()
    r = world.client("village_cadre").get("/no-such-page/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()

"""No menu link leads a role to a page it may not open (issue 27 (7)): every link of every
sub-menu shown to a role answers that role with its page."""

from __future__ import annotations

import re

from fupin.site.menu import SUBNAV, subnav
from tests.conftest import ROLES_UNDER_TEST


def test_every_sub_menu_link_shown_opens(world):
    refused = []
    hidden = 0
    for role in ROLES_UNDER_TEST:
        user, client = world.user(role), world.client(role)
        links = [href for html in subnav(user).values() for href in re.findall(r'href="([^"]+)"', str(html))]
        hidden += sum(len(v) for v in SUBNAV.values()) - len(links)
        for href in links:
            status = client.get(href).status_code
            if status != 200:
                refused.append((role, href, status))
    assert refused == []
    assert hidden > 0  # some pages are not every role's, and their links are not shown to it
    cadre = str(subnav(world.user("village_cadre"))["cob"])
    assert "收款清单" in cadre and "日终批处理" not in cadre  # a village cadre runs no close
    assert "风险补偿金" in str(subnav(world.user("finance_bureau"))["subsidies"])


def test_rule_ids_are_shown_to_the_auditor_only(world):
    """Issue 27 (2): a cadre reads the explanation; the auditor reads it with the rule it implements."""
    office = world.client("poverty_office").get("/subsidies/").content.decode()
    auditor = world.client("auditor").get("/subsidies/").content.decode()
    text = "每一步由不同的人办理，每一笔金额都记入总账"
    assert text in office and text in auditor
    assert "R-SUB-2" not in office and '<span class="rule">R-SUB-2</span>' in auditor

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

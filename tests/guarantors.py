"""Guarantors for the tests (issue 24 (11)): a fresh, valid ID number for each, so that no one
person guarantees more loans than the county allows."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from fupin.core.idcard import check_character
from fupin.core.products import preset

_serial = itertools.count(1)


def id_number(born: dt.date | None = None) -> str:
    """A valid 18-digit ID number from 530322 (Yunnan) of someone born in 1970–1989 (or on
    ``born``), new at each call."""
    n = next(_serial)
    born = born or dt.date(1970, 1, 1) + dt.timedelta(days=n % 7000)
    first17 = f"530322{born:%Y%m%d}{n // 7000 % 1000:03d}"
    return first17 + check_character(first17)


def guarantee(officer, application, **over):
    """Register the guarantors the application's product needs (P-SEASONAL: one shop owner)."""
    from fupin.loans.guarantors import guarantor_add

    made = []
    for _ in range(preset(application.product).guarantors):
        made.append(
            guarantor_add(
                acting_user=officer,
                application=application,
                **{
                    "kind": "shop_owner",
                    "name": "杨保证",
                    "id_number": id_number(),
                    "phone": "13800001111",
                    "relationship": "同村",
                    "consent_on": timezone.localdate(),
                    **over,
                },
            )
        )
    return made

from decimal import Decimal

import pytest

from tests.ratings.conftest import rt  # noqa: F401 — rated households of the first village
from tests.ratings.test_scorecards import rated


@pytest.fixture
def hh(rt):  # noqa: F811
    """Three households of the first village with AA lines of 10 000 yuan, under the income line."""
    rated(rt)
    for h in rt.households:
        h.income_per_capita = Decimal(2000)
        h.save()
    return rt.households[0]

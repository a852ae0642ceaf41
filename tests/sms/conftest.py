from tests.loans.conftest import hh  # noqa: F401 — rated households of the first village
from tests.ratings.conftest import rt  # noqa: F401

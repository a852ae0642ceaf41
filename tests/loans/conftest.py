from tests.ratings.conftest import rt  # noqa: F401 — rated households of the first village

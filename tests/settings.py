"""Test settings: the real settings with a fast password hasher and plain static storage.

Production hashing (argon2) is asserted separately in tests/accounts/test_login.py.
"""

from fupin.settings import *  # noqa: F403
from tests.clock import pin

pin()  # every process on the test settings lives on the same pinned day (tests/clock.py)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# 4xx answers are the point of many tests; keep their log lines out of the output
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"django.request": {"level": "ERROR"}},
}

# the second factor is tested where it is the point (tests/accounts/test_two_factor.py overrides
# this); elsewhere roles sign in with force_login, which gives none
FUPIN_TWO_FACTOR_ROLES = frozenset()

"""Django settings for Fupin.

Configuration comes from the environment only; every variable is listed in
docs/operations.md. With nothing set, Fupin runs on an embedded SQLite file under
./var/ with DEBUG off and a development secret key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env("FUPIN_DATA_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_bool("FUPIN_PRODUCTION")
DEBUG = env_bool("FUPIN_DEBUG", default=False)
DEV_SECRET = "fupin-development-key-not-for-production-use-0123456789abcdef"
SECRET_KEY = env("FUPIN_SECRET_KEY", "" if PRODUCTION else DEV_SECRET)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("生产环境必须设置 FUPIN_SECRET_KEY / FUPIN_SECRET_KEY must be set in production")
ALLOWED_HOSTS = [h for h in env("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("FUPIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "fupin.divisions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "fupin.accounts",
    "fupin.audit",
    "fupin.webhooks",
    "fupin.web",
    "fupin.backup",
    "fupin.api",
    "fupin.products",
    "fupin.households",
    "fupin.ratings",
    "fupin.ledger",
    "fupin.loans",
    "fupin.feeds",
    "fupin.cob",
    "fupin.subsidies",
    "fupin.riskfund",
    "fupin.reports",
    "fupin.pay",
    "fupin.coops",
    "fupin.creditinfo",
    "fupin.selfservice",
    "fupin.sms",
    "fupin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fupin.web.headers.SecurityHeaders",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fupin.accounts.sessions.IdleTimeout",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "fupin.accounts.twofactor.SecondFactor",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "fupin.audit.middleware.AuditContextMiddleware",
    "fupin.api.middleware.RepeatedQueryParameterMiddleware",
    "fupin.api.middleware.JsonErrorsMiddleware",
]

ROOT_URLCONF = "fupin.urls"
WSGI_APPLICATION = "fupin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fupin.site.menu.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'fupin.sqlite3'}"),
        conn_max_age=env_int("FUPIN_DB_CONN_MAX_AGE", 60),
    )
}
if env("FUPIN_REPLICA_URL", ""):  # reports read from a streaming replica (fupin.replica)
    DATABASES["replica"] = dj_database_url.parse(
        env("FUPIN_REPLICA_URL"), conn_max_age=env_int("FUPIN_DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["fupin.replica.ReplicaRouter"]
# statements that run often are prepared by PostgreSQL (psycopg's prepare_threshold over
# server-side binding); off behind a pooler that cannot keep them (pgbouncer in transaction mode)
FUPIN_DB_PREPARE = env_bool("FUPIN_DB_PREPARE", True)
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.postgresql" and FUPIN_DB_PREPARE:
        _db.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
# the hot reads and writes written once per process on PostgreSQL (fupin.compiled); 0: plain Django
FUPIN_COMPILED = env_bool("FUPIN_COMPILED", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "fupin.accounts.backends.UserBackend",  # Django's ModelBackend, the user read compiled
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env_int("FUPIN_PASSWORD_MIN_LENGTH", 12)
PASSWORD_MIN_CLASSES = env_int("FUPIN_PASSWORD_MIN_CLASSES", 3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "fupin.accounts.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after N failed attempts (等保 2.0): django-axes, keyed by username.
AXES_FAILURE_LIMIT = env_int("FUPIN_LOCKOUT_ATTEMPTS", 5)
AXES_COOLOFF_TIME = env_int("FUPIN_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_CALLABLE = "fupin.accounts.lockout.locked_out"  # the API answers in its own JSON
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Lockout is per account (等保 2.0 asks for account lockout); axes warns that IP rotation is
# not covered by it, which is the point: the account is locked wherever the attempts come from.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# A person's sign-in over the API (POST /api/v1/auth/token) lasts this many hours.
FUPIN_TOKEN_HOURS = env_int("FUPIN_TOKEN_HOURS", 8)
# the loans a risk fund may cover per yuan of its balance (放大倍数, R-RSK-1); early warning's limit
FUPIN_FUND_LEVERAGE = env("FUPIN_FUND_LEVERAGE", "10")
# who must sign in with a second factor (issue 26 (8)): "privileged" (the default: the
# administrators and every role with money steps), a comma-separated list of roles, or "" (nobody;
# anyone may still enrol)
_two_factor = env("FUPIN_TWO_FACTOR_ROLES", "privileged").strip()
if _two_factor == "privileged":
    from fupin.accounts.roles import MONEY_ROLES

    FUPIN_TWO_FACTOR_ROLES = frozenset({"sysadmin", *MONEY_ROLES})
else:
    FUPIN_TWO_FACTOR_ROLES = frozenset(r.strip() for r in _two_factor.split(",") if r.strip())
OTP_TOTP_ISSUER = "扶贫小额信贷"

# Idle timeout: the session expires N minutes after the last request.
SESSION_COOKIE_AGE = env_int("FUPIN_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_ENGINE = "fupin.accounts.backends"  # Django's database sessions, a live one read compiled
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env("FUPIN_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Personal-data protection key (R-REG-5); the development key must never be used in production.
FUPIN_DATA_KEY = env("FUPIN_DATA_KEY", "" if PRODUCTION else "fupin-dev-data-key-0123456789")
FUPIN_OTP_SENDER = env(
    "FUPIN_OTP_SENDER", "fupin.selfservice.senders.log_sender"
)  # an SMS adapter in production

# Text messages to households and staff (issue 26 (7); fupin.sms, docs/operations.md)
FUPIN_SMS_SENDER = env("FUPIN_SMS_SENDER", "fupin.sms.senders.LogSender")
FUPIN_SMS_SIGN = env("FUPIN_SMS_SIGN", "扶贫小额信贷")
FUPIN_SMS_TEMPLATES = json.loads(env("FUPIN_SMS_TEMPLATES", "{}") or "{}")  # kind -> provider template
FUPIN_SMS_QUIET = env("FUPIN_SMS_QUIET", "21:00-08:00")  # no message goes out in these hours
FUPIN_SMS_REMIND_DAYS = env_int("FUPIN_SMS_REMIND_DAYS", 3)
FUPIN_SMS_ARREARS_DAYS = tuple(
    int(x) for x in env("FUPIN_SMS_ARREARS_DAYS", "1,7,30").split(",") if x.strip()
)
FUPIN_SMS_ALIYUN_ACCESS_KEY_ID = env("FUPIN_SMS_ALIYUN_ACCESS_KEY_ID", "")
FUPIN_SMS_ALIYUN_ACCESS_KEY_SECRET = env("FUPIN_SMS_ALIYUN_ACCESS_KEY_SECRET", "")
FUPIN_SMS_ALIYUN_ENDPOINT = env("FUPIN_SMS_ALIYUN_ENDPOINT", "dysmsapi.aliyuncs.com")
FUPIN_SMS_ALIYUN_PROTOCOL = env("FUPIN_SMS_ALIYUN_PROTOCOL", "https")

# A repayment may exceed what the loan still owes by at most this much (yuan); the excess is held
# as the household's credit balance (R-REP-1). Anything more is refused as a typing error.
FUPIN_OVERPAYMENT_ALLOWANCE = env_int("FUPIN_OVERPAYMENT_ALLOWANCE", 1000)

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

CSRF_FAILURE_VIEW = "fupin.web.errors.csrf_failure"
# request bodies: the API takes files as base64 inside JSON (a 30 MB registry file, a 5 MB proof);
# a subsidy claim's review form posts a few fields per line (claims of 10 000 lines)
DATA_UPLOAD_MAX_MEMORY_SIZE = 42 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50_000

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("FUPIN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("FUPIN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("FUPIN_LOG_LEVEL", "WARNING")},
}

"""Checks of the deployment that ``fupin check --deploy`` runs beside Django's own."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

DEV_DATA_KEY = "fupin-dev-data-key-0123456789"
MIN_DATA_KEY = 32  # characters; the key protects every ID number and phone (R-REG-5)


@register(Tags.security, deploy=True)
def data_key(app_configs, **kwargs) -> list[Error]:
    key = getattr(settings, "FUPIN_DATA_KEY", "") or ""
    if key == DEV_DATA_KEY or len(key) < MIN_DATA_KEY or len(set(key)) < 12:
        return [
            Error(
                "FUPIN_DATA_KEY 太弱：证件号码和手机号以它加密，须为至少 32 个字符的随机串（例如 "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'），且不能是开发用的默认值",
                hint="FUPIN_DATA_KEY must be a random string of at least 32 characters, "
                "never the development key",
                id="fupin.E001",
            )
        ]
    return []

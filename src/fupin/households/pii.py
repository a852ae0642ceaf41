"""The system's vault for personal data (R-REG-5), keyed from ``FUPIN_DATA_KEY``."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from fupin.core.idcard import normalise, upgrade_15
from fupin.core.pii import Vault


@cache
def vault() -> Vault:
    if not settings.FUPIN_DATA_KEY:
        raise RuntimeError("FUPIN_DATA_KEY is not set")
    return Vault(settings.FUPIN_DATA_KEY)


def id_index(raw: str) -> str:
    """Blind index of an ID number as typed (normalised; 15 digits upgraded)."""

    value = normalise(raw)
    if len(value) == 15 and value.isdigit():
        value = upgrade_15(value)
    return vault().index(value)


def phone_index(raw: str) -> str:
    return vault().index(normalise(raw))

"""Where one-time codes go (``FUPIN_OTP_SENDER``, a dotted path to a function of the phone number
and the message): the log in development; an SMS gateway's adapter in production."""

from __future__ import annotations

import logging

log = logging.getLogger("fupin.otp")
OUTBOX: list[tuple[str, str]] = []  # the memory sender's messages (tests)


def log_sender(phone: str, message: str) -> None:
    log.warning("短信 → %s：%s", phone, message)


def memory_sender(phone: str, message: str) -> None:
    OUTBOX.append((phone, message))

"""A write recorded once per idempotency key (R-REP-1): a repayment, a pay-off, a cooperative's
repayment, a household visit taken on a phone with no signal (issue 27 (8)). The phone or the
integrator sends the same key again when it cannot tell whether the first request arrived."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from fupin.core.errors import Conflict, ValidationFailed


def once(
    key: str,
    same: Callable[[Any], bool],
    post: Callable[[], Any],
    model: type[Model],
    what: str = "还款",
    longest: int = 64,
) -> tuple[Any, bool]:
    """Record ``post()`` once per idempotency key: the same key again with the same body
    (``same(first)``) returns the first record and does nothing; with a different body it is
    refused (409). Two requests with one key at the same moment: the database's unique key decides.
    ``model`` is the record with the unique ``key``; ``what`` names it in the messages."""
    key = (key or "").strip()
    if not 8 <= len(key) <= longest:
        raise ValidationFailed(f"每笔{what}须带 8–{longest} 个字符的幂等键", code="idempotency_key")
    mismatch = f"该幂等键已用于另一笔内容不同的{what}"
    for attempt in (1, 2):
        first = model._default_manager.filter(key=key).first()
        if first is not None:
            if same(first):
                return first, False
            raise Conflict(mismatch, code="idempotency_mismatch")
        if attempt == 2:
            break
        try:
            with transaction.atomic():
                return post(), True
        except IntegrityError:  # the same key posted at the same moment: the other one won
            continue
    raise Conflict(mismatch, code="idempotency_mismatch")

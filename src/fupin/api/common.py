"""Pieces every router uses: authentication, the error body, and response declarations."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import BeforeValidator, StringConstraints

from fupin.core.errors import ValidationFailed
from fupin.core.money import from_fen

# Text from clients: no control characters (PostgreSQL refuses NUL; nobody types the rest).
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def Choice(values):
    """A string that is one of ``values``: the schema lists them (an enum), so what the server
    takes and what the schema says are the same."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


def Text(max_length: int, min_length: int = 0):
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_CONTROL)]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    """Dates come as YYYY-MM-DD, nothing else (pydantic would take "0" as a timestamp)."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("日期格式应为 YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
DivisionCode = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]


def _fen_to_yuan(value: Any) -> Any:
    return from_fen(value) if isinstance(value, int) and not isinstance(value, bool) else value


# An amount sent to the API: yuan as a string of plain digits with at most two decimals, at most
# 9 999 999 999.99 (fupin.core.money.money reads exactly these); the schema says so, so a client
# and a fuzzer know what the server takes.
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
Amount = Annotated[str, StringConstraints(pattern=AMOUNT_PATTERN, max_length=13)]

# An amount the database keeps in integer fen, answered in yuan with two decimals.
Yuan = Annotated[Decimal, BeforeValidator(_fen_to_yuan)]
MAX_ID = 2**63 - 1


class ErrorOut(Schema):
    """The one error body of every 4xx: a stable code, a Chinese message, structured details."""

    code: str
    message: str
    details: Any = None


def responses(ok: Any, *statuses: int, ok_status: int = 200) -> dict[int, Any]:
    """Response declarations for an operation: its success schema and its error codes."""
    out: dict[int, Any] = {ok_status: ok}
    for s in (400, 401, 403, *statuses):
        out[s] = ErrorOut
    return out


class Pagination(LimitOffsetPagination):
    """limit/offset paging with both bounded (an unbounded offset reaches the database as an
    out-of-range integer); answers ``{"items": [...], "count": N}``."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500, description="每页条数（1–500）")
        offset: int = Field(0, ge=0, le=1_000_000_000, description="跳过的条数")


def ordering(name: str, fields: dict[str, tuple[str, ...]], default: str):
    """A query schema ``name`` with a parameter ``order`` that takes only the names in ``fields``
    (each optionally with a leading ``-``) — anything else is refused (400) before a query is made — and
    the function that maps the choice to the fixed ``order_by`` columns it stands for: a client
    string never reaches SQL (Apache Fineract's ``orderBy`` injections are the warning)."""
    from enum import Enum

    names = [n for f in fields for n in (f, f"-{f}")]
    choice = Enum(f"{name}Field", {n.replace("-", "desc_"): n for n in names}, type=str)  # type: ignore[misc]
    schema = type(
        name,
        (Schema,),
        {
            "__annotations__": {"order": choice},
            "order": Field(choice(default), description="排序：" + "、".join(names)),
        },
    )

    def columns(value) -> tuple[str, ...]:
        chosen = str(getattr(value, "value", value))
        cols = fields[chosen.lstrip("-")]
        return (
            tuple(c[1:] if c.startswith("-") else f"-{c}" for c in cols) if chosen.startswith("-") else cols
        )

    return schema, columns


def decoded(content_base64: str) -> bytes:
    """A file sent inside JSON as base64 (the API takes no multipart uploads); 422 when it is not."""
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("文件内容不是有效的 base64", code="file") from None


@contextmanager
def uploaded(content_base64: str, suffix: str = ".xlsx") -> Iterator[Path]:
    """A file sent as base64, written to a temporary path for the importers (removed afterwards)."""
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(decoded(content_base64))
        tmp.flush()
        yield Path(tmp.name)

"""Domain errors with stable codes and Chinese messages.

Every error the system shows to a person is a :class:`DomainError` (or a subclass):
``code`` is stable and machine-readable (clients switch on it), ``message`` is the
Chinese sentence a loan officer reads, ``details`` carries structured context (for a
batch validation, the list of every problem found, never only the first).
The web layer maps these to HTTP in one place (``fupin.api.errors``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """Base class: a rule was broken by the input; nothing has been changed."""

    code: str = "domain_error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationFailed(DomainError):
    """Well-formed input that breaks a business rule or a bound (HTTP 422).

    Malformed input (a missing field, a wrong type, a bad pattern) never reaches the
    domain: the API's schema refuses it with HTTP 400 first.
    """

    code = "validation_failed"
    http_status = 422


class NotAuthenticated(DomainError):
    """Who is asking is not known: the credentials given do not sign anyone in."""

    http_status = 401


class TooManyAttempts(DomainError):
    """Locked for now after repeated failures (an account's password, a one-time code)."""

    http_status = 429


class NotPermitted(DomainError):
    """The acting user's role or jurisdiction does not allow the action (HTTP 403)."""

    code = "forbidden"
    http_status = 403


class NotFound(DomainError):
    """The object does not exist or is outside the user's jurisdiction (HTTP 404)."""

    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The action contradicts the current state (HTTP 409)."""

    code = "conflict"
    http_status = 409


@dataclass(frozen=True)
class Problem:
    """One problem found by a batch validation: where it is and what is wrong."""

    message: str
    field: str = ""
    value: str = ""
    row: int | None = None
    rule: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass
class ProblemList:
    """Collects every problem of a batch (Beancount's habit: never stop at the first)."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, **where: Any) -> None:
        self.problems.append(Problem(message=message, **where))

    def extend(self, problems: Sequence[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(self, summary: str, *, code: str = "validation_failed") -> None:
        if self.problems:
            raise ValidationFailed(summary, code=code, details=[p.as_dict() for p in self.problems])


def details_of(error: Exception) -> Mapping[str, Any]:
    """The error body for any exception that reaches the edge of the system."""
    if isinstance(error, DomainError):
        return error.as_dict()
    return {"code": "internal_error", "message": "系统内部错误，请联系管理员", "details": None}


def reason_required(text: str, what: str = "原因", *, at_least: int = 4, at_most: int = 300) -> str:
    """The stripped text of a reason a decision must give (a rejection, a withdrawal, a
    reversal); refused in Chinese when shorter than ``at_least`` characters."""
    text = (text or "").strip()
    if len(text) < at_least:
        raise ValidationFailed(f"请写明{what}（至少 {at_least} 个字）", code="reason_required")
    return text[:at_most]

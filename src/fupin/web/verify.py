"""Notices anyone can verify (issue 28 (4)): a printed 公示 or subsidy announcement carries a QR
code to a public page, signed by the server (django.core.signing), that shows the same notice
masked; the page says whether the paper matches. Nothing here reads a model: the site's view does."""

from __future__ import annotations

import hashlib
import json

import segno
from django.core import signing

SALT = "fupin.verify"
KINDS = {"notice": "贷款申请公示", "subsidy": "贴息公告", "table": "报表（附表）"}


def token(kind: str, pk: int, scope: str = "") -> str:
    """The signed token of a document: its kind, number and scope (the division an announcement
    is of); any change to it breaks the signature."""
    return signing.dumps([kind, pk, scope], salt=SALT, compress=True)


def read(value: str) -> tuple[str, int, str] | None:
    """(kind, pk, scope) of a token the server signed, else None."""
    try:
        kind, pk, scope = signing.loads(value, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    ok = kind in KINDS and isinstance(pk, int) and isinstance(scope, str)
    return (kind, pk, scope) if ok else None


def qr(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI, for the printed page."""
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def digest(rows: list[list]) -> str:
    """The fingerprint of a document's rows — masked as the public page shows them — printed on
    the paper and shown on the page, so anyone can see the two are the same list: 16 hex digits
    of SHA-256 over the rows as JSON."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def mask_name(name: str) -> str:
    """A person's name as a public page shows it: 王小明 → 王*明, 王明 → 王*."""
    if len(name) <= 1:
        return name
    return name[0] + "*" + (name[-1] if len(name) > 2 else "")

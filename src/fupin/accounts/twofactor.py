"""Two-factor sign-in for staff (issue 26 (8); 等保 level 3 asks it of privileged users).

A time-based one-time code (TOTP, RFC 6238) from an authenticator app, through django-otp: a
person enrols by scanning a QR code and typing one code, and gets ten single-use recovery codes
for a lost phone. Who must use it is configuration (``FUPIN_TWO_FACTOR_ROLES``: by default the
administrators and every role with money steps, :data:`fupin.accounts.roles.MONEY_ROLES`); anyone
else may enrol, and once enrolled is always asked. The web asks after the password
(:class:`SecondFactor`, the page ``/account/two-factor/``); the API's token endpoint takes the code
as ``otp``; a session that has not given it is not a session the API accepts.
"""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core.errors import Conflict, ValidationFailed

RECOVERY_CODES = 10
SESSION_FREE = "fupin_2fa_free"  # this session's user needs no second factor (asked once per login)


def required(user) -> bool:
    """Whether the configuration makes ``user`` give a second factor (a role in the list)."""
    roles = settings.FUPIN_TWO_FACTOR_ROLES
    return bool(roles) and any(g.role in roles for g in access.grants(user))


def needed(user) -> bool:
    """Required by a role, or chosen: a person who enrolled is always asked."""
    return required(user) or user_has_device(user, confirmed=True)


def session_needs(request) -> bool:
    """Whether this signed-in request still owes its second factor; the answer "no" is kept in the
    session, so that a person who needs none costs no query after the first page."""
    user = request.user
    if not user.is_authenticated or request.session.get(SESSION_FREE):
        return False
    if user.is_verified():
        return False
    if not needed(user):
        request.session[SESSION_FREE] = True
        return False
    return True


class SecondFactor:
    """Pages of a person who owes the second factor lead to ``/account/two-factor/`` (enrolment
    or the code) — all but that page, signing out, the static files and the API (which answers
    401 itself)."""

    OPEN = ("/account/two-factor/", "/logout/", "/static/", "/api/", "/login/", "/me/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.OPEN) and session_needs(request):
            return redirect(f"/account/two-factor/?next={quote(request.get_full_path())}")
        return self.get_response(request)


def enrolment(user) -> TOTPDevice:
    """The device being enrolled: a new secret until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The QR code an authenticator app scans (otpauth:// URI), as inline SVG."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def enrol_confirm(*, user, token: str) -> list[str]:
    """Confirm the enrolment with one code from the app; returns the new recovery codes."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise Conflict("没有待确认的身份验证器，请刷新页面重新扫码", code="no_enrolment")
    if not device.verify_token((token or "").strip()):
        raise ValidationFailed("验证码不正确或已过期，请输入验证器上当前显示的 6 位数字", code="bad_otp")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one authenticator at a time
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes(user)
        audit_record(actor=user, action="account.2fa_enrol", obj=user, after={"device": device.name})
    return codes


def recovery_codes_new(*, user) -> list[str]:
    """Ten new single-use recovery codes (the old ones stop working)."""
    if not user_has_device(user, confirmed=True):
        raise Conflict("尚未启用两步验证", code="not_enrolled")
    with transaction.atomic():
        codes = _recovery_codes(user)
        audit_record(actor=user, action="account.2fa_codes", obj=user, after={"codes": len(codes)})
    return codes


def _recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="恢复码", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def verify(user, token: str):
    """The device that accepts ``token`` (a code from the app, or a recovery code, used up), or
    None. Repeated failures slow the device down (django-otp's throttling)."""
    token = (token or "").strip().replace(" ", "").lower()
    return match_token(user, token) if token else None


def remove(*, acting_user, user) -> int:
    """Switch the second factor off for ``user``: by themselves unless their role requires it; by
    an administrator for a person who lost their phone (they enrol again at the next sign-in)."""
    if acting_user.pk == user.pk:
        if required(user):
            raise Conflict("您的角色必须使用两步验证，不能停用", code="two_factor_required")
    else:
        access.require(acting_user, "user.manage")
    with transaction.atomic():
        n = 0
        for d in list(devices_for_user(user, confirmed=None)):
            d.delete()
            n += 1
        audit_record(actor=acting_user, action="account.2fa_remove", obj=user, after={"devices": n})
    return n

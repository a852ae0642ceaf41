"""Signing a household in with a one-time code (DOMAIN §14): request → a 6-digit code to the
phone on record (its keyed hash stored, 10 minutes, at most 3 codes an hour per person) → verify
(5 wrong tries spend the code) → a login bound to the household. The answer to a request never
says whether the ID number is registered."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from fupin.accounts.models import User
from fupin.accounts.services import role_assign
from fupin.audit.services import audit_record
from fupin.core.errors import NotPermitted, ValidationFailed
from fupin.core.idcard import normalise
from fupin.households.models import Household, Person
from fupin.households.pii import id_index, vault
from fupin.selfservice.models import HouseholdLogin, OneTimeCode

VALID = dt.timedelta(minutes=10)
PER_HOUR = 3
TRIES = 5
SENT = (
    "如该证件号码已登记并留有手机号，验证码已发送到登记的手机，10 分钟内有效；收不到请联系村干部核实手机号。"
)


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _index(id_number: str) -> str:
    value = normalise(id_number or "")
    if not (len(value) in (15, 18) and value[:-1].isdigit()):
        raise ValidationFailed("请输入 18 位居民身份证号码", code="id_number")
    return id_index(value)


def code_request(*, id_number: str) -> str:
    """Send a code to the phone on record of the person (or else of the household head)."""
    index = _index(id_number)
    person = Person.objects.filter(id_index=index, left_on__isnull=True).select_related("household").first()
    if person is None:
        return SENT
    phone_cipher = (
        person.phone_cipher
        or Person.objects.filter(household=person.household_id, is_head=True, left_on__isnull=True)
        .values_list("phone_cipher", flat=True)
        .first()
    )
    now = timezone.now()
    if (
        not phone_cipher
        or OneTimeCode.objects.filter(id_index=index, created_at__gte=now - dt.timedelta(hours=1)).count()
        >= PER_HOUR
    ):
        return SENT
    phone = vault().decrypt(phone_cipher)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        OneTimeCode.objects.create(
            id_index=index,
            household=person.household,
            code_hash=_hash(code),
            sent_to=phone[:3] + "****" + phone[-4:],
            expires_at=now + VALID,
        )
        audit_record(
            actor=None,
            action="selfservice.code",
            obj=person.household,
            division_code=person.village_code,
            after={"sent_to": phone[:3] + "****" + phone[-4:]},
        )
    import_string(settings.FUPIN_OTP_SENDER)(
        phone, f"【扶贫小额信贷】您的登录验证码 {code}，10 分钟内有效。请勿告诉他人。"
    )
    return SENT


def code_verify(*, id_number: str, code: str) -> User:
    """The household's login when ``code`` is the latest code sent for this ID number."""
    index = _index(id_number)
    now = timezone.now()
    otp = OneTimeCode.objects.filter(id_index=index, used_at__isnull=True, expires_at__gt=now).first()
    if otp is None:
        raise NotPermitted("验证码无效或已过期，请重新获取", code="otp_invalid")
    # one try taken in one statement (counted even when wrong): tries made at the same moment
    # each take their own, so never more than TRIES codes are compared
    if not OneTimeCode.objects.filter(pk=otp.pk, attempts__lt=TRIES, used_at__isnull=True).update(
        attempts=F("attempts") + 1
    ):
        raise NotPermitted("错误次数过多，该验证码已失效，请重新获取", code="otp_locked")
    if not hmac.compare_digest(otp.code_hash, _hash((code or "").strip())):
        raise NotPermitted("验证码不正确", code="otp_invalid")
    with transaction.atomic():
        if not OneTimeCode.objects.filter(pk=otp.pk, used_at__isnull=True).update(used_at=now):
            raise NotPermitted(
                "验证码已使用，请重新获取", code="otp_invalid"
            )  # the right code sent twice at once
        user = household_user(otp.household)
        audit_record(
            actor=user, action="selfservice.login", obj=otp.household, division_code=otp.household.village_id
        )
    return user


def household_user(household: Household) -> User:
    """The household's own login (made the first time): the household role on its village."""
    link = HouseholdLogin.objects.filter(household=household).select_related("user").first()
    if link is not None:
        return link.user
    head = household.members.filter(is_head=True).first()
    user = User.objects.create(
        username=f"hh{household.pk}", display_name=head.name if head else household.registry_no
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    role_assign(acting_user=None, user=user, role="household", division_code=household.village_id)
    HouseholdLogin.objects.create(user=user, household=household)
    return user

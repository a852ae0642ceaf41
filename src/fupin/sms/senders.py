"""Where messages go (``FUPIN_SMS_SENDER``, a dotted path to a class): the log by default; an
adapter for Alibaba Cloud SMS (阿里云短信服务, its Python SDK ``alibabacloud-dysmsapi20170525``,
installed with ``pip install fupin[sms-aliyun]``). Another provider is a class with the same
``send`` (Tencent Cloud's SDK would sit behind it the same way).

``send`` takes the phone number, the rendered text, the message's kind and its parameters, and
returns the provider's reference; it raises :class:`SendFailed` with the provider's reason.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("fupin.sms")


class SendFailed(Exception):
    pass


class LogSender:
    """Development: the message goes to the ``fupin.sms`` log."""

    def send(self, phone: str, text: str, kind: str, params: dict) -> str:
        log.warning("短信 → %s：%s", phone, text)
        return "log"


class MemorySender:
    """Tests: the messages are kept in :attr:`sent`."""

    sent: list[tuple[str, str, str, dict]] = []

    def send(self, phone: str, text: str, kind: str, params: dict) -> str:
        MemorySender.sent.append((phone, text, kind, params))
        return f"mem-{len(MemorySender.sent)}"


class AliyunSender:
    """Alibaba Cloud SMS: ``FUPIN_SMS_ALIYUN_ACCESS_KEY_ID``/``_SECRET``, ``FUPIN_SMS_SIGN`` (the
    approved signature), ``FUPIN_SMS_TEMPLATES`` (JSON: kind -> approved template code, e.g.
    ``{"due_reminder": "SMS_4650001"}``); ``FUPIN_SMS_ALIYUN_ENDPOINT`` (default
    dysmsapi.aliyuncs.com) and ``FUPIN_SMS_ALIYUN_PROTOCOL`` (https)."""

    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi

        self.templates = settings.FUPIN_SMS_TEMPLATES
        self.client = Client(
            openapi.Config(
                access_key_id=settings.FUPIN_SMS_ALIYUN_ACCESS_KEY_ID,
                access_key_secret=settings.FUPIN_SMS_ALIYUN_ACCESS_KEY_SECRET,
                endpoint=settings.FUPIN_SMS_ALIYUN_ENDPOINT,
                protocol=settings.FUPIN_SMS_ALIYUN_PROTOCOL,
                connect_timeout=5000,
                read_timeout=10000,
            )
        )

    def send(self, phone: str, text: str, kind: str, params: dict) -> str:
        from alibabacloud_dysmsapi20170525 import models

        template = self.templates.get(kind)
        if not template:
            raise SendFailed(f"FUPIN_SMS_TEMPLATES 中没有“{kind}”的模板编号")
        try:
            reply = self.client.send_sms(
                models.SendSmsRequest(
                    phone_numbers=phone,
                    sign_name=settings.FUPIN_SMS_SIGN,
                    template_code=template,
                    template_param=json.dumps({k: str(v) for k, v in params.items()}, ensure_ascii=False),
                )
            )
        except Exception as e:  # the SDK's own errors: a refused key, a network failure
            raise SendFailed(str(e)[:200]) from e
        body = reply.body
        if body.code != "OK":
            raise SendFailed(f"{body.code}：{body.message}"[:200])
        return body.biz_id or ""


@lru_cache(maxsize=4)
def _sender(path: str):
    return import_string(path)()


def sender():
    """The configured sender (one per process)."""
    return _sender(settings.FUPIN_SMS_SENDER)

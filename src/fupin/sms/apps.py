from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "fupin.sms"
    verbose_name = "短信"

from django.apps import AppConfig


class CreditinfoConfig(AppConfig):
    name = "fupin.creditinfo"
    verbose_name = "农户信用信息"

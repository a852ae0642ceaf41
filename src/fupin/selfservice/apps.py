from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "fupin.selfservice"
    verbose_name = "农户自助服务"

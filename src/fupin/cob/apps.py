from django.apps import AppConfig


class CobConfig(AppConfig):
    name = "fupin.cob"
    verbose_name = "日终批处理"

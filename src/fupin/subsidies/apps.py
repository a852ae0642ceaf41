from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "fupin.subsidies"
    verbose_name = "贴息"

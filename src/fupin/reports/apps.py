from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fupin.reports"
    verbose_name = "报表"

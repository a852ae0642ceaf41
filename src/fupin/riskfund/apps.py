from django.apps import AppConfig


class RiskfundConfig(AppConfig):
    name = "fupin.riskfund"
    verbose_name = "风险补偿金"

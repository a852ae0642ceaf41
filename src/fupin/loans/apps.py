from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "fupin.loans"
    verbose_name = "贷款"

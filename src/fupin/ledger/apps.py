from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "fupin.ledger"
    verbose_name = "总账"

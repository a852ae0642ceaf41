from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "fupin.loans"
    verbose_name = "贷款"

    def ready(self) -> None:
        from fupin.ledger.selectors import subledger_register
        from fupin.loans.selectors import loan_subledger

        subledger_register(loan_subledger)  # 1301 and 1132 kept per loan: the trial balance checks them

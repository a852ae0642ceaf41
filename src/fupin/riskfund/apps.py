from django.apps import AppConfig


class RiskfundConfig(AppConfig):
    name = "fupin.riskfund"
    verbose_name = "风险补偿金"

    def ready(self) -> None:
        from fupin.loans.ports import answer_recovery_shares
        from fupin.riskfund.services import recovery_shares

        answer_recovery_shares(recovery_shares)  # asked by every repayment (fupin.loans.ports)

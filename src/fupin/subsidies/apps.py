from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "fupin.subsidies"
    verbose_name = "贴息"

    def ready(self) -> None:
        from fupin.loans.ports import answer_relief
        from fupin.subsidies.services import relief

        answer_relief(relief)  # asked by every repayment (fupin.loans.ports)

from django.apps import AppConfig


class PayConfig(AppConfig):
    name = "fupin.pay"
    verbose_name = "信贷员绩效工资"

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "fupin.feeds"
    verbose_name = "银行月度数据"

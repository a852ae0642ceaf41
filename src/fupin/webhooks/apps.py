from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "fupin.webhooks"
    verbose_name = "事件推送"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fupin.api"
    verbose_name = "接口"

from django.apps import AppConfig


class CoopsConfig(AppConfig):
    name = "fupin.coops"
    verbose_name = "扶贫互助社"

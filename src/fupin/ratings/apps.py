from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "fupin.ratings"
    verbose_name = "评级授信"

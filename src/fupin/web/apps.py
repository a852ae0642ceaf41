from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fupin.web"
    verbose_name = "界面"

    def ready(self) -> None:
        from fupin.web import checks  # noqa: F401 — registers the deployment checks

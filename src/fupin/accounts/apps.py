from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fupin.accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from fupin.accounts import signals  # noqa: F401  (connects the grants-stamp receivers)

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fupin.accounts"
    verbose_name = "用户与角色"

from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "fupin.backup"
    verbose_name = "备份与恢复"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "smsadmin.accounts"
    label = "accounts"
    verbose_name = "People and roles"

    def ready(self) -> None:
        from smsadmin.accounts import signals  # noqa: F401  (connects audit receivers)

from django.apps import AppConfig


class KeysConfig(AppConfig):
    name = "smsadmin.keys"
    label = "keys"
    verbose_name = "API keys"

from django.apps import AppConfig


class MirrorConfig(AppConfig):
    name = "smsadmin.mirror"
    label = "mirror"
    verbose_name = "Message mirror"

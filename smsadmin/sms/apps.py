from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "smsadmin.sms"
    label = "sms"
    verbose_name = "Messages"

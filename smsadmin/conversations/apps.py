from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "smsadmin.conversations"
    label = "conversations"
    verbose_name = "Inbox and conversations"

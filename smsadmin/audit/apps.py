from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "smsadmin.audit"
    label = "audit"
    verbose_name = "Audit log"

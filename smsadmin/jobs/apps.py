from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "smsadmin.jobs"
    label = "jobs"
    verbose_name = "Jobs"

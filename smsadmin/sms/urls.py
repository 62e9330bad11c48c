from django.urls import path

from smsadmin.sms import views
from smsadmin.sms.compose import views as compose_views

app_name = "sms"
urlpatterns = [
    path("messages/", views.message_list, name="list"),
    path("messages/<int:sms_id>/", views.message_detail, name="detail"),
    path("messages/<int:sms_id>/delete/", views.message_delete, name="delete"),
    path("messages/delete/", views.bulk_delete, name="bulk_delete"),
    path("scheduled/", views.scheduled, name="scheduled"),
    path("compose/", compose_views.compose, name="compose"),
    path(
        "compose/check-recipients",
        compose_views.check_recipients,
        name="compose_check_recipients",
    ),
    path("compose/check-content", compose_views.check_content, name="compose_check_content"),
    path(
        "compose/replace-lookalikes",
        compose_views.replace_content_lookalikes,
        name="compose_replace_lookalikes",
    ),
    path(
        "compose/keep-angle-brackets",
        compose_views.keep_angle_brackets,
        name="compose_keep_angle_brackets",
    ),
    path("compose/sims", compose_views.sim_options, name="compose_sims"),
    path("compose/confirm/<uuid:token>", compose_views.confirm, name="compose_confirm"),
    path("compose/send/<uuid:token>", compose_views.send, name="compose_send"),
    path("compose/result/<uuid:token>", compose_views.result, name="compose_result"),
    path("compose/progress/<uuid:token>", compose_views.progress, name="compose_progress"),
    path(
        "compose/result/<uuid:token>/make-default",
        compose_views.make_default,
        name="compose_make_default",
    ),
]

from django.urls import path

from smsadmin.sms import views

app_name = "sms"
urlpatterns = [
    path("messages/", views.message_list, name="list"),
    path("messages/<int:sms_id>/", views.message_detail, name="detail"),
    path("messages/<int:sms_id>/delete/", views.message_delete, name="delete"),
    path("messages/delete/", views.bulk_delete, name="bulk_delete"),
    path("scheduled/", views.scheduled, name="scheduled"),
    path("compose/", views.compose, name="compose"),
]

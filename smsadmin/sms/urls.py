from django.urls import path

from smsadmin.sms import views

app_name = "sms"
urlpatterns = [
    path("messages/", views.message_list, name="list"),
    path("scheduled/", views.scheduled, name="scheduled"),
    path("compose/", views.compose, name="compose"),
]

from django.urls import path

from smsadmin.keys import views

app_name = "keys"
urlpatterns = [
    path("", views.key_list, name="list"),
]

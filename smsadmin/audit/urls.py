from django.urls import path

from smsadmin.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.review, name="review"),
]

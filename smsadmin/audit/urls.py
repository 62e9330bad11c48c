from django.urls import path

from smsadmin.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.review, name="review"),
    path("events/<int:seq>/", views.detail, name="detail"),
    path("export.csv", views.export, name="export"),
    path("verify/", views.verify, name="verify"),
]

from django.urls import path

from smsadmin.mirror import views

app_name = "mirror"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/export/", views.export, name="export"),
    path("search/export.csv", views.export_csv, name="export_csv"),
    path("search/export/<str:token>/", views.export_progress, name="export_progress"),
    path("sync/", views.sync_now, name="sync"),
]

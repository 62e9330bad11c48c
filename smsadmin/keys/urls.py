from django.urls import path

from smsadmin.keys import views

app_name = "keys"
urlpatterns = [
    path("", views.key_list, name="list"),
    path("add/", views.add, name="add"),
    path("team/add/", views.add_team_key, name="add_team"),
    path("active/", views.activate, name="activate"),
    path("<int:key_id>/replace/", views.replace, name="replace"),
    path("<int:key_id>/rename/", views.rename, name="rename"),
    path("<int:key_id>/delete/", views.delete, name="delete"),
    path("<int:key_id>/verify/", views.verify, name="verify"),
]

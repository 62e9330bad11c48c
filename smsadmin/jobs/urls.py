from django.urls import path

from smsadmin.jobs import personalised_views, views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/cancel/", views.job_cancel, name="cancel"),
    path("delete-matches/", views.delete_matches, name="delete_matches"),
    path("send-again/", views.send_again, name="send_again"),
    path("personalised/", personalised_views.personalised_new, name="personalised"),
    path(
        "personalised/<uuid:token>/",
        personalised_views.personalised_preview,
        name="personalised_preview",
    ),
]

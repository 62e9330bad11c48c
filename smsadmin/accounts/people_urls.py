from django.urls import path

from smsadmin.accounts import people_views as views

app_name = "people"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("invite/", views.invite, name="invite"),
    path("shared/new/", views.new_shared_login, name="new_shared_login"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("<int:user_id>/", views.person, name="person"),
    path("<int:user_id>/roles/", views.change_roles, name="roles"),
    path("<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:user_id>/reactivate/", views.reactivate, name="reactivate"),
    path("<int:user_id>/two-factor/reset/", views.reset_two_factor, name="reset_two_factor"),
    path("<int:user_id>/password/reset/", views.reset_password, name="reset_password"),
    path("<int:user_id>/operators/", views.change_operators, name="operators"),
    path("<int:user_id>/password/", views.shared_password, name="shared_password"),
]

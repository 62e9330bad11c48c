from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from smsadmin import views
from smsadmin.accounts import people_views, twofactor_views
from smsadmin.accounts import views as account_views

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", account_views.SignOutView.as_view(), name="logout"),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/operator/", account_views.operator, name="operator"),
    path("accounts/password/set/<path:token>/", people_views.set_password, name="set_password"),
    path("accounts/preferences/", account_views.preferences, name="preferences"),
    path("language/", account_views.choose_language, name="choose_language"),
    path("accounts/2fa/", twofactor_views.setup, name="twofactor_setup"),
    path("accounts/2fa/verify/", twofactor_views.verify, name="twofactor_verify"),
    path("accounts/2fa/disable/", twofactor_views.disable, name="twofactor_disable"),
    path("people/", include("smsadmin.accounts.people_urls")),
    path("keys/", include("smsadmin.keys.urls")),
    path("audit/", include("smsadmin.audit.urls")),
    path("", include("smsadmin.sms.urls")),
    path("", include("smsadmin.mirror.urls")),
    path("", include("smsadmin.conversations.urls")),
    path("admin/", admin.site.urls),
]

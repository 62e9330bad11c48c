from django.urls import path

from smsadmin.conversations import views

app_name = "conversations"
urlpatterns = [
    path("inbox/", views.inbox_page, name="inbox"),
    path("inbox/badge/", views.badge, name="badge"),
    path("inbox/handled/", views.mark_handled, name="mark_handled"),
    path("conversations/<str:number>/", views.conversation, name="thread"),
    path("texts/", views.saved_texts, name="saved_texts"),
    path("texts/new/", views.saved_text_edit, name="saved_text_new"),
    path("texts/<int:text_id>/", views.saved_text_edit, name="saved_text_edit"),
    path("texts/<int:text_id>/delete/", views.saved_text_delete, name="saved_text_delete"),
]

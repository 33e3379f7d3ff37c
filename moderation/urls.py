from django.urls import path

from moderation import views

app_name = "moderation"
urlpatterns = [
    path("debat/<slug:slug>/skriv/", views.contribution_new, name="contribution-new"),
    path("debat/<slug:slug>/svar/<int:parent>/", views.contribution_new, name="contribution-reply"),
    path("indlaeg/sendt/", views.contribution_sent, name="contribution-sent"),
    path("indlaeg/bekraeft/<str:token>/", views.contribution_confirm, name="contribution-confirm"),
    path(
        "indlaeg/bekraeft/<str:token>/nyt-link/",
        views.contribution_resend,
        name="contribution-resend",
    ),
    path("privatliv/", views.privacy, name="privacy"),
    path("retningslinjer/", views.guidelines, name="guidelines"),
]

from django.urls import path

from moderation import views

app_name = "moderation"
urlpatterns = [
    path("debat/<slug:slug>/skriv/", views.contribution_new, name="contribution-new"),
    path("debat/<slug:slug>/svar/<int:parent>/", views.contribution_new, name="contribution-reply"),
    path("indlaeg/sendt/", views.contribution_sent, name="contribution-sent"),
    path(
        "indlaeg/nyt-link/sendt/",
        views.contribution_sent,
        {"resent": True},
        name="contribution-resent",
    ),
    # The links in our mails. A link's POST redirects to its outcome: the same view, `done`.
    path("indlaeg/bekraeft/<str:token>/", views.contribution_confirm, name="contribution-confirm"),
    path(
        "indlaeg/bekraeft/<str:token>/bekraeftet/",
        views.contribution_confirm,
        {"done": True},
        name="contribution-confirmed",
    ),
    path(
        "indlaeg/bekraeft/<str:token>/nyt-link/",
        views.contribution_resend,
        name="contribution-resend",
    ),
    path(
        "indlaeg/tilbagetraek/<str:token>/",
        views.contribution_withdraw,
        name="contribution-withdraw",
    ),
    path(
        "indlaeg/tilbagetraek/<str:token>/trukket-tilbage/",
        views.contribution_withdraw,
        {"done": True},
        name="contribution-withdrawn",
    ),
    path("indlaeg/ret/<str:token>/", views.contribution_revise, name="contribution-revise"),
    path(
        "indlaeg/ret/<str:token>/sendt/",
        views.contribution_revise,
        {"done": True},
        name="contribution-revised",
    ),
    path("indlaeg/<int:pk>/anmeld/", views.contribution_report, name="contribution-report"),
    path(
        "indlaeg/<int:pk>/anmeld/tak/",
        views.contribution_reported,
        name="contribution-reported",
    ),
    path("debat/<slug:slug>/foelg/", views.follow_question, name="follow-question"),
    path("foelg/bekraeft/<str:token>/", views.follow_confirm, name="follow-confirm"),
    path(
        "foelg/bekraeft/<str:token>/bekraeftet/",
        views.follow_confirm,
        {"done": True},
        name="follow-confirmed",
    ),
    path("foelg/afmeld/<str:token>/", views.follow_unsubscribe, name="follow-unsubscribe"),
    path(
        "foelg/afmeld/<str:token>/afmeldt/",
        views.follow_unsubscribe,
        {"done": True},
        name="follow-unsubscribed",
    ),
    path("mine-data/", views.personal_data, name="personal-data"),
    # The link in the mail opens a page of the data held; the file (JSON) is downloaded from it.
    path(
        "mine-data/hent/<str:token>/",
        views.personal_data_download,
        name="personal-data-download",
    ),
    path("mine-data/hent/<str:token>/json/", views.personal_data_json, name="personal-data-json"),
    path("privatliv/", views.privacy, name="privacy"),
    path("retningslinjer/", views.guidelines, name="guidelines"),
]

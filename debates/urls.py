from django.urls import path

from debates import views
from debates.cache import public_page
from debates.feeds import DebateFeed, PicksFeed, QuestionFeed, answer_form

app_name = "debates"
urlpatterns = [
    path("", views.home, name="home"),
    path("workshops/", views.workshop_list, name="workshop-list"),
    path("workshops/<int:number>/", views.workshop_detail, name="workshop-detail"),
    path("workshops/<int:number>/konklusioner/", views.paper_detail, name="paper-detail"),
    path("konklusioner/", views.paper_latest, name="paper-latest"),
    path("debat/<slug:slug>/", views.question_detail, name="question-detail"),
    path(
        "debat/<slug:slug>/feed/",
        public_page(QuestionFeed(), form=answer_form),
        name="question-feed",
    ),
    path("feed/", public_page(DebateFeed(), form=answer_form), name="feed"),
    path("feed/fremhaevet/", public_page(PicksFeed(), form=answer_form), name="picks-feed"),
    path("soeg/", views.search, name="search"),
    path("tilgaengelighed/", views.accessibility, name="accessibility"),
    path("debatten-i-tal/", views.figures, name="figures"),
    path("oplaeg/<int:pk>/materiale/", views.talk_material, name="talk-material"),
    path("indlaeg/<int:pk>/", views.contribution_permalink, name="contribution-permalink"),
    path("indlaeg/<int:pk>/pdf/", views.contribution_attachment, name="contribution-attachment"),
]

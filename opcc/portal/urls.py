from django.contrib.auth import views as auth_views
from django.urls import path

from opcc.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<str:token>/", views.accept_invitation, name="invitation"),
    path("static/portal.css", views.stylesheet, name="stylesheet"),
    path("contracts/<str:contract_id>/", views.contract, name="contract"),
    path("contracts/<str:contract_id>/template/<str:period>/", views.template, name="template"),
    path("contracts/<str:contract_id>/upload/", views.upload, name="upload"),
    path("contracts/<str:contract_id>/uploads/<int:upload_id>/", views.uploaded_file, name="uploaded_file"),
    path("contracts/<str:contract_id>/received/<str:sha256>/", views.received_file, name="received_file"),
    path("contracts/<str:contract_id>/comment/", views.comment, name="comment"),
    path("accounts/", views.provider_accounts, name="accounts"),
    path("activity/", views.activity, name="activity"),
    path("accounts/<int:account_id>/<str:action>/", views.provider_account_action, name="account_action"),
]

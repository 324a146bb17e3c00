from django.urls import URLPattern

app_name = "staff_accounts"
urlpatterns: list[URLPattern] = []

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from varde.web.admin_site import restrict_admin_to_system_administrators

restrict_admin_to_system_administrators(admin.site)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("varde.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("varde.web.urls")),
]

handler404 = "varde.web.views.errors.not_found"
handler500 = "varde.web.views.errors.server_error"
handler403 = "varde.web.views.errors.forbidden"

if settings.DEBUG:  # pragma: no cover - local development only
    pass

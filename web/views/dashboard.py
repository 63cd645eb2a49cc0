from django.views.generic import TemplateView

from web.tenancy import AccountViewMixin


class DashboardView(AccountViewMixin, TemplateView):
    template_name = "web/dashboard.html"

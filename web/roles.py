"""Who may change an account's settings in the web app: the API's rule
(`Membership.can_manage_account`: owners and admins), so all faces agree."""

from django.core.exceptions import PermissionDenied

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def may_manage(request) -> bool:
    """Owners and admins manage the account; members read what they need."""
    return request.membership.can_manage_account


class ManagersWriteMixin:
    """Members may read the view; any other method needs an owner or admin (403).

    List it after AccountViewMixin (`class V(AccountViewMixin, ManagersWriteMixin,
    View)`), whose dispatch resolves `request.membership` before this one runs."""

    managers_only = False  # True: members may not even read it.

    def dispatch(self, request, *args, **kwargs):
        writes = self.managers_only or request.method not in READS
        if request.user.is_authenticated and writes and not may_manage(request):
            raise PermissionDenied("Only the account's owners and admins may do this.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_manage"] = may_manage(self.request)
        return context

import django_filters

from notifications.models import Notification


class NotificationFilter(django_filters.FilterSet):
    # A choice, not a BooleanFilter: that one ignores a value it cannot read, and
    # `?unread=maybe` must be a 400 like every other filter's bad value.
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        help_text="`true`: only unread; `false`: only read.",
    )

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset, name, value):
        return queryset.unread() if value == "true" else queryset.filter(read_at__isnull=False)

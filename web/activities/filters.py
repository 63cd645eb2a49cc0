"""The agenda's filters: the tab, the owner ("" for me, `all`, `none` or a member's id)
and the activity type."""

from django import forms

from accounts.ids import parse_id
from activities.models import Activity
from web.activity_rows import TABS


class AgendaFilter(forms.Form):
    tab = forms.ChoiceField(choices=TABS, required=False)
    owner = forms.ChoiceField(required=False)
    type = forms.ChoiceField(required=False, choices=[("", "All types"), *Activity.Type.choices])

    def __init__(self, data, *, members, me):
        super().__init__(data)
        self.me = me
        self.members = members
        self.fields["owner"].choices = [
            ("", "Me"),
            ("all", "Everyone"),
            ("none", "Unassigned"),
            *[(str(m.pk), m.get_full_name() or m.username) for m in members if m.pk != me.pk],
        ]

    def value(self, name):
        """The cleaned value, or the default ("") when that parameter was bad."""
        self.is_valid()  # cleaned_data keeps the fields that were valid
        return self.cleaned_data.get(name) or ""

    def narrow(self, queryset):
        owner = self.value("owner")
        if owner == "":
            queryset = queryset.filter(owner=self.me)
        elif owner == "none":
            queryset = queryset.filter(owner__isnull=True)
        elif owner != "all":
            queryset = queryset.filter(owner_id=parse_id(owner))
        if self.value("type"):
            queryset = queryset.filter(type=self.value("type"))
        return queryset

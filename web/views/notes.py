"""`GET /notes/?q=&kind=&page=`: notes and logged emails, calls and SMS, newest first.

Bodies were sanitised on save (notes/sanitize.py), so the template renders the stored
body as HTML and nothing else. Three queries besides the session's: the filter has
no query, the page costs a count and the rows (with their links, select_related).
"""

from django import forms
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from lib.paginator import DeferredJoinPaginator
from lib.search import order_hits_by_sorting
from notes.models import Note
from web.tenancy import AccountViewMixin
from web.views.agenda import Day, describe_moment
from web.views.dashboard import note_record

PAGE_SIZE = 20


class NoteFilter(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True)
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *Note.Kind.choices])

    def value(self, name):
        """The cleaned value, or "" when that parameter was bad (its error is shown)."""
        self.is_valid()
        return self.cleaned_data.get(name) or ""


class NotesView(AccountViewMixin, TemplateView):
    model = Note
    template_name = "web/notes/list.html"

    def scope_queryset(self, queryset):
        return queryset.select_related("contact", "company", "deal", "author")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = NoteFilter(self.request.GET)
        notes = self.get_queryset()
        query = filters.value("q")
        if filters.value("kind"):
            notes = notes.filter(kind=filters.value("kind"))
        notes = notes.order_by("-occurred_at", "-id")
        if query:
            notes = order_hits_by_sorting(notes.search(query))
        page = DeferredJoinPaginator(notes, PAGE_SIZE).get_page(self.request.GET.get("page"))
        day = Day.of(self.request.account)
        for note in page.object_list:
            note.record_name, note.record_url = note_record(note)
            note.when_relative, note.when_absolute = describe_moment(note.occurred_at, day=day)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            filters=filters,
            page=page,
            notes=page.object_list,
            query=query,
            kind=filters.value("kind"),
            filter_query=params.urlencode(),
            kinds=Note.Kind.choices,
        )
        return context

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "notes-results":
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response

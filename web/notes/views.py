"""`GET /notes/?search=&kind=&page=`: notes and logged emails, calls and SMS, newest
first, filtered by the API's own `NoteFilter`; and the delete of a note, from this list
or a record's timeline.

Bodies were sanitised on save (notes/sanitize.py), so the template renders the stored
body as HTML and nothing else. Three queries besides the session's: the filter has
no query, the page costs a count and the rows (with their links, select_related).
"""

from django.urls import reverse_lazy

from lib.search import order_hits_by_sorting, search_words
from notes.filters import NoteFilter
from notes.models import Note
from notes.services import note_delete
from web.crud import RecordListView, RowDeleteView
from web.moments import Day, describe_moment
from web.note_display import note_record


class NotesView(RecordListView):
    model = Note
    filterset_class = NoteFilter
    template_name = "web/notes/list.html"
    page_size = 20
    vary_on = ("HX-Request", "HX-Target")

    def scope_queryset(self, queryset):
        return queryset.select_related("contact", "company", "deal", "author")

    def order(self, queryset):
        queryset = queryset.order_by("-occurred_at", "-id")
        if search_words(self.search()):
            queryset = order_hits_by_sorting(queryset)
        return queryset

    def search(self) -> str:
        return self.filterset.form.cleaned_data.get("search") or ""

    def is_partial(self) -> bool:
        return bool(self.request.htmx and self.request.htmx.target == "notes-results")

    def get_context_data(self, *, filterset, page, errors):
        day = Day.of(self.request.account)
        for note in page.object_list:
            note.record_name, note.record_url = note_record(note)
            note.when_relative, note.when_absolute = describe_moment(note.occurred_at, day=day)
        params = self.request.GET.copy()
        params.pop("page", None)
        kinds = filterset.form.cleaned_data.get("kind") or []
        return {
            "filters": filterset,
            "page": page,
            "notes": page.object_list,
            "query": self.search(),
            "kind": kinds[0] if kinds else "",
            "filter_query": params.urlencode(),
            "kinds": Note.Kind.choices,
        }


class NoteDeleteView(RowDeleteView):
    """POST: the note goes to the trash; over htmx its row leaves the list or the
    timeline and the page offers the Undo. GET: the confirm page (no JavaScript)."""

    model = Note
    context_object_name = "note"
    delete_service = staticmethod(note_delete)
    success_url = reverse_lazy("web:notes")

    def confirm_context(self, note) -> dict:
        return {
            "title": f"Delete the note “{note.title}”?",
            "button": "Delete note",
            "cancel_url": str(self.success_url),
        }

    def success_message(self, note) -> str:
        return "Deleted the note."

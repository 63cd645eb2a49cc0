"""The CSV import of contacts: upload, match columns, check every row, import.

HTTP in, calls to contacts/imports.py and the background tasks out. The file's rows
are only read by the tasks and by the pages that show them (a preview, the errors);
the page polling a running import loads the import without its text.
"""

import csv

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import OperationalError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views import View

from contacts.imports import (
    FIELDS,
    IGNORE,
    MAX_BYTES,
    MAX_ROWS,
    CsvProblem,
    contact_import_replace_file,
    failed_rows_csv,
    file_fields,
    guess_mapping,
    mapping_problems,
    preview,
    read_csv,
    records,
)
from contacts.models import ContactImport
from contacts.tasks import (
    contact_import_cancel,
    contact_import_queue_check,
    contact_import_queue_write,
)
from lib.spreadsheet_cells import CSV_QUOTING
from web.tenancy import AccountViewMixin

Status = ContactImport.Status
ERRORS_SHOWN = 100
EXAMPLE_CSV = (
    "First name,Last name,Email,Phone,Job title,Company,Owner,Tags\r\n"
    "Ada,Lovelace,ada@example.com,+1 202 555 0143,CTO,example.com,,vip; newsletter\r\n"
    "Grace,Hopper,grace@example.com,,Engineer,,,\r\n"
)


def upload_limit() -> int:
    """The largest file the page accepts: MAX_BYTES, or less when the site refuses
    request bodies that large (crm_project/middleware.py answers 413 before any view
    runs), so the limit the page states and checks is the one that really applies."""
    body_limit = settings.MAX_UPLOAD_BYTES
    if body_limit is None:
        return MAX_BYTES
    return min(MAX_BYTES, body_limit - 16 * 1024)  # room for the form's other parts


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty. Upload a CSV file with a header row and contacts.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > upload_limit():
            raise forms.ValidationError(
                f"The file is {megabytes(upload.size)}; the limit is "
                f"{megabytes(upload_limit())}. Split it into smaller files."
            )
        try:
            self.csv_file = read_csv(upload.read())
        except CsvProblem as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class MappingForm(forms.Form):
    """A field choice per column of the file, and what to do with duplicate emails."""

    on_duplicate = forms.ChoiceField(
        label="When a contact with the same email already exists",
        choices=ContactImport.OnDuplicate.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, headers, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [(IGNORE, "— Don't import —"), *FIELDS.items()]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1}", choices=choices, required=False
            )

    def clean(self):
        cleaned = super().clean()
        cleaned["mapping"] = [
            cleaned.get(f"column_{i}") or IGNORE for i in range(len(self.headers))
        ]
        for problem in mapping_problems(cleaned["mapping"]):
            self.add_error(None, problem)
        return cleaned

    def columns(self):
        return [self[f"column_{i}"] for i in range(len(self.headers))]


def moved_on_message(contact_import) -> str:
    """Why a change to the import was refused: it is no longer in a state that allows
    it (the page it redirects to shows that state)."""
    return (
        f"This import is now “{contact_import.get_status_display()}”, so it can no "
        "longer be changed; nothing was changed."
    )


class ImportViewMixin(AccountViewMixin):
    model = ContactImport

    def get_import(self, *, with_text: bool = True):
        queryset = self.get_queryset()
        if not with_text:
            queryset = queryset.defer("content", "errors")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Another account's import is a 404 whatever the method: even a 405 would
        # confirm that the id exists.
        if "pk" in self.kwargs:
            self.get_import(with_text=False)
        return super().http_method_not_allowed(request, *args, **kwargs)


class ImportUploadView(ImportViewMixin, View):
    """Step 1: upload a file; below it, the account's recent imports."""

    template_name = "web/imports/upload.html"

    def get(self, request):
        return self.render_page(UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        upload = form.cleaned_data["file"]
        contact_import = ContactImport.objects.create(
            account=request.account,
            created_by=request.user,
            file_name=upload.name[:255],
            mapping=guess_mapping(form.csv_file.headers),
            **file_fields(form.csv_file),
        )
        return redirect("web:contacts-import-detail", pk=contact_import.pk)

    def render_page(self, form, status=200):
        recent = self.get_queryset().recent().select_related("created_by")[:8]
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "recent": recent,
                "max_rows": MAX_ROWS,
                "max_size": megabytes(upload_limit()),
                "max_bytes": upload_limit(),
            },
            status=status,
        )


class ImportExampleView(ImportViewMixin, View):
    """A small CSV showing the columns the import understands."""

    def get(self, request):
        response = HttpResponse(EXAMPLE_CSV, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="contacts-example.csv"'
        return response


class ImportDetailView(ImportViewMixin, View):
    """Steps 2-4 on one page, as the import's status says; htmx polls its `state` partial."""

    template_name = "web/imports/detail.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except OperationalError:
            # SQLite keeps readers out for a moment while a big import commits; a poll
            # that hits that answers "no change" (htmx swaps nothing on 204) and the
            # next poll tells. Anything else is the middleware's 503.
            if request.htmx and request.method == "GET":
                return HttpResponse(status=204)
            raise

    def get(self, request, pk):
        # While a task runs the page polls every second: don't load megabytes of text.
        contact_import = self.get_import(with_text=False)
        context = {"imp": contact_import, "max_bytes": upload_limit()}
        if contact_import.status == Status.MAPPING:
            context.update(mapping_context(contact_import))
        elif contact_import.status == Status.INVALID:
            context.update(errors_context(contact_import))
        template = self.template_name + ("#state" if request.htmx else "")
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


def mapping_context(contact_import, form=None) -> dict:
    headers = contact_import.headers
    if form is None:
        initial = {f"column_{i}": name for i, name in enumerate(contact_import.mapping)}
        form = MappingForm(
            headers=headers, initial=initial | {"on_duplicate": contact_import.on_duplicate}
        )
    rows = preview(contact_import.content, contact_import.delimiter, len(headers))
    examples = [
        [row["cells"][i] for row in rows if row["cells"][i].strip()][:3]
        for i in range(len(headers))
    ]
    return {
        "form": form,
        "preview": rows,
        "columns": list(zip(form.columns(), examples, strict=True)),
    }


def errors_context(contact_import) -> dict:
    shown = contact_import.errors[:ERRORS_SHOWN]
    wanted = {e["row"] for e in shown}
    last = max(wanted, default=0)
    cells = {}
    if wanted:
        for number, row in records(contact_import.content, contact_import.delimiter):
            if number in wanted:
                cells[number] = [c for c in row if c.strip()][:4]
            if number >= last:
                break
    return {
        "errors_shown": [e | {"cells": cells.get(e["row"], [])} for e in shown],
        "errors_hidden": max(0, contact_import.error_count - len(shown)),
    }


class ImportMappingView(ImportViewMixin, View):
    """Step 2: match columns to fields (also reached again to change them)."""

    template_name = "web/imports/detail.html"

    def get(self, request, pk):
        contact_import = self.get_import()
        if not contact_import.is_editable:
            return redirect("web:contacts-import-detail", pk=pk)
        return render(
            request,
            self.template_name,
            {"imp": contact_import, "editing": True} | mapping_context(contact_import),
        )

    def post(self, request, pk):
        contact_import = self.get_import()
        if not contact_import.is_editable:
            messages.error(request, "This import can no longer be changed.")
            return redirect("web:contacts-import-detail", pk=pk)
        form = MappingForm(request.POST, headers=contact_import.headers)
        if not form.is_valid():
            context = {"imp": contact_import, "editing": True}
            return render(
                request,
                self.template_name,
                context | mapping_context(contact_import, form),
                status=400,
            )
        run = contact_import_queue_check(
            contact_import=contact_import,
            mapping=form.cleaned_data["mapping"],
            on_duplicate=form.cleaned_data["on_duplicate"],
        )
        if run is None:  # it moved on since the page loaded (e.g. "Import" in another tab)
            messages.error(request, moved_on_message(self.get_import(with_text=False)))
        return redirect("web:contacts-import-detail", pk=pk)


class ImportReplaceFileView(ImportViewMixin, View):
    """Upload a fixed file into the same import; same columns → checked again at once."""

    def post(self, request, pk):
        contact_import = self.get_import(with_text=False)
        detail = redirect("web:contacts-import-detail", pk=pk)
        if not contact_import.is_editable:
            messages.error(request, "This import can no longer be changed.")
            return detail
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            for error in form.errors.get("file", []):
                messages.error(request, error)
            return detail
        upload = form.cleaned_data["file"]
        same_columns = contact_import_replace_file(
            contact_import=contact_import, csv_file=form.csv_file, file_name=upload.name
        )
        if same_columns is None:
            messages.error(request, "This import can no longer be changed.")
        elif same_columns:
            if contact_import_queue_check(contact_import=contact_import) is None:
                messages.error(request, moved_on_message(self.get_import(with_text=False)))
            else:
                messages.success(
                    request,
                    f"Uploaded {upload.name}: same columns as before, checking the rows again.",
                )
        else:
            messages.info(
                request,
                f"Uploaded {upload.name}. Its columns differ from the "
                "previous file's: check how they are matched.",
            )
        return detail


class ImportStartView(ImportViewMixin, View):
    """Step 4: write the checked rows (in the background)."""

    def post(self, request, pk):
        contact_import = self.get_import(with_text=False)
        if not contact_import_queue_write(contact_import=contact_import):
            messages.error(request, "This import is not ready to be imported.")
        return redirect("web:contacts-import-detail", pk=pk)


class ImportCancelView(ImportViewMixin, View):
    def post(self, request, pk):
        contact_import = self.get_import(with_text=False)
        if contact_import_cancel(contact_import=contact_import):
            messages.success(request, "Import cancelled. No contact was written.")
        else:
            messages.error(request, "This import can no longer be cancelled.")
        return redirect("web:contacts-import-detail", pk=pk)


class ImportFailedRowsView(ImportViewMixin, View):
    """The rows with errors, as a CSV: the file's columns plus an "errors" column."""

    def get(self, request, pk):
        contact_import = self.get_import()

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo(), quoting=CSV_QUOTING)
        # A BOM first, so Excel opens the file as UTF-8.
        lines = (writer.writerow(row) for row in failed_rows_csv(contact_import))
        response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
        stem = contact_import.file_name.rsplit(".", 1)[0] or "contacts"
        safe = "".join(c for c in stem if c.isalnum() or c in " -_")[:80] or "contacts"
        response["Content-Disposition"] = f'attachment; filename="{safe} - errors.csv"'
        return response


def _with_bom(lines):
    yield "\ufeff"
    yield from lines

"""The CSV import of contacts: upload, match columns, check every row, import.

HTTP in, calls to contacts/imports.py and the background tasks out. The file's rows
are only read by the tasks and by the pages that show them (a preview, the errors);
the page polling a running import loads the import without its text.
"""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views import View

from contacts.imports import (
    MAX_ROWS,
    contact_import_replace_file,
    failed_rows_csv,
    file_fields,
    guess_mapping,
    preview,
    records,
)
from contacts.models import Contact, ContactImport, ContactImportRecord
from contacts.tasks import (
    contact_import_cancel,
    contact_import_dismiss_failed_rows,
    contact_import_queue_check,
    contact_import_queue_write,
    contact_import_start_undo,
)
from customfields.values import definitions_for
from lib.spreadsheet_cells import CSV_QUOTING
from web.imports.forms import MappingForm, UploadForm, megabytes, upload_limit
from web.tenancy import AccountViewMixin

Status = ContactImport.Status
ERRORS_SHOWN = 100
RECORDS_PER_PAGE = 25
EXAMPLE_CSV = (
    "First name,Last name,Email,Phone,Job title,Company,Owner,Tags\r\n"
    "Ada,Lovelace,ada@example.com,+1 202 555 0143,CTO,example.com,,vip; newsletter\r\n"
    "Grace,Hopper,grace@example.com,,Engineer,,,\r\n"
)


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
        return self.get_object(queryset)


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
            mapping=guess_mapping(
                form.csv_file.headers, definitions_for(request.account, "contact")
            ),
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
        elif contact_import.is_finished and not contact_import.is_running:
            context.update(records_context(request, contact_import))
        template = self.template_name + ("#state" if request.htmx else "")
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


def mapping_context(contact_import, form=None) -> dict:
    headers = contact_import.headers
    if form is None:
        initial = {f"column_{i}": name for i, name in enumerate(contact_import.mapping)}
        choices = {
            "on_duplicate": contact_import.on_duplicate,
            "mode": contact_import.mode,
            "create_companies": contact_import.create_companies,
        }
        form = MappingForm(
            headers=headers,
            definitions=definitions_for(contact_import.account_id, "contact"),
            initial=initial | choices,
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


def records_context(request, contact_import) -> dict:
    """What a finished import created and updated, a page of one of the two lists, with
    the contacts' names and links: four queries whatever the size."""
    records = ContactImportRecord.objects.for_account(contact_import.account_id).of_import(
        contact_import
    )
    counts = records.counts()
    shown = request.GET.get("show")
    if shown not in (ContactImportRecord.Action.CREATED, ContactImportRecord.Action.UPDATED):
        shown = "updated" if counts["updated"] and not counts["created"] else "created"
    page = Paginator(
        records.listed(shown).only("record_id"), RECORDS_PER_PAGE, allow_empty_first_page=True
    ).get_page(request.GET.get("page"))
    ids = [record.record_id for record in page]
    contacts = Contact.objects.for_account(contact_import.account_id).filter(pk__in=ids)
    found = {c.pk: c for c in contacts.only("id", "account_id", "first_name", "last_name", "email")}
    return {
        "counts": counts,
        "shown": shown,
        "records_page": page,
        "records_query": f"show={shown}",
        "record_rows": [(record.record_id, found.get(record.record_id)) for record in page],
    }


class ImportUndoView(ImportViewMixin, View):
    """ "Undo this import": a page that says what will happen, then the undo."""

    template_name = "web/imports/undo.html"

    def get(self, request, pk):
        contact_import = self.get_import(with_text=False)
        if not contact_import.can_undo:
            return redirect("web:contacts-import-detail", pk=pk)
        counts = (
            ContactImportRecord.objects.for_account(contact_import.account_id)
            .of_import(contact_import)
            .counts()
        )
        return render(request, self.template_name, {"imp": contact_import, "counts": counts})

    def post(self, request, pk):
        contact_import = self.get_import(with_text=False)
        if not contact_import_start_undo(contact_import=contact_import, by=request.user):
            messages.error(request, "This import is not done, so there is nothing to undo.")
        else:
            contact_import.refresh_from_db(fields=["status", "undo_report"])
            if contact_import.status == Status.UNDONE:
                messages.success(request, undo_message(contact_import.undo_report))
        return redirect("web:contacts-import-detail", pk=pk)


def undo_message(report: dict) -> str:
    """What an undo did, in a sentence or two."""
    deleted, reverted = report.get("deleted", 0), report.get("reverted", 0)
    text = (
        f"Import undone: {deleted} contact{'s' if deleted != 1 else ''} deleted, "
        f"{reverted} restored to earlier values."
    )
    kept = report.get("kept_fields", 0)
    if kept:
        text += (
            f" {kept} field{'s' if kept != 1 else ''} kept because "
            f"{'they were' if kept != 1 else 'it was'} edited since."
        )
    return text


class ImportDismissFailedRowsView(ImportViewMixin, View):
    """Forget the failed rows a finished import kept."""

    def post(self, request, pk):
        contact_import = self.get_import(with_text=False)
        if contact_import_dismiss_failed_rows(contact_import=contact_import):
            messages.success(request, "The failed rows were dismissed.")
        return redirect("web:contacts-import-detail", pk=pk)


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
        form = MappingForm(
            request.POST,
            headers=contact_import.headers,
            definitions=definitions_for(request.account, "contact"),
        )
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
            mode=form.cleaned_data["mode"],
            create_companies=form.cleaned_data["create_companies"],
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
    """The rows with errors, as "failed-rows.csv": the file's columns plus an "error"
    column. 404 once there are none (dismissed, expired)."""

    def get(self, request, pk):
        contact_import = self.get_import()
        if not contact_import.has_failed_rows:
            raise Http404("This import has no failed rows.")

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo(), quoting=CSV_QUOTING)
        # A BOM first, so Excel opens the file as UTF-8.
        lines = (writer.writerow(row) for row in failed_rows_csv(contact_import))
        response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="failed-rows.csv"'
        return response


def _with_bom(lines):
    yield "\ufeff"
    yield from lines

"""The merge screen: two contacts (or companies) side by side, a choice for each field
where they disagree, what will move, then the merge through the record's service and
an "Undo" (web/undo.py) that restores the merged-away record from the trash (which undoes the
merge, trash/services.py).

`/merge/contacts/<pk>/<other>/` merges `other` into `pk`; the screen links to the
swapped URL to keep the other one instead. Both are the account's records, else 404.
Queries: a constant number whatever how much would move (one count per kind of link).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from companies.models import Company
from companies.services import COMPANY_MERGE_FIELDS, company_merge
from contacts.models import Contact
from contacts.services import CONTACT_MERGE_FIELDS, contact_merge
from events.models import Source
from lib.errors import StateConflict
from trash.links import reverse_links
from trash.merging import is_empty
from web.merge.forms import MergeForm
from web.tenancy import AccountViewMixin
from web.undo import offer_undo


@dataclass(frozen=True)
class FieldRow:
    """One line of the side-by-side table."""

    name: str
    label: str
    mine: str
    theirs: str
    contested: bool  # both hold a value, and they differ: the user chooses
    filled: bool  # the record that stays has none: it takes the other's


class MergeView(AccountViewMixin, View):
    """GET: the two records side by side with the form. POST: merge, then the
    surviving record's page with a message offering to undo it."""

    template_name = "web/merge/merge.html"
    record_type = ""  # "contact"
    fields: tuple[str, ...] = ()
    related = ()  # select_related targets, for the displayed names
    url_name = ""  # this view's own URL name
    record_url_name = ""

    def merge(self, record, other, prefer_other):
        raise NotImplementedError

    def get_queryset(self):
        return super().get_queryset().select_related(*self.related).with_tag_list()

    def records(self):
        """The record that stays and the other one (404 unless both are the account's
        and differ): one query."""
        pk, other = self.kwargs["pk"], self.kwargs["other"]
        if pk == other:
            raise Http404("A record cannot be merged with itself.")
        found = {r.pk: r for r in self.get_queryset().filter(pk__in=[pk, other])}
        if len(found) != 2:
            raise Http404("No such record.")
        return found[pk], found[other]

    def get(self, request, *args, **kwargs):
        record, other = self.records()
        return self.page(record, other, MergeForm(rows=self.rows(record, other)))

    def post(self, request, *args, **kwargs):
        record, other = self.records()
        form = MergeForm(request.POST, rows=self.rows(record, other))
        if not form.is_valid():
            return self.page(record, other, form, status=400)
        try:
            survivor = self.merge(record, other, form.prefer_other())
        except ValidationError as exc:
            form.add_error(None, " ".join(m for ms in exc.message_dict.values() for m in ms))
            return self.page(record, other, form, status=400)
        except StateConflict as exc:
            form.add_error(None, str(exc))
            return self.page(record, other, form, status=409)
        # Undo restores the merged-away record, which undoes the merge (trash/).
        offer_undo(
            request,
            f"Merged “{other}” into “{survivor}”.",
            record_type=self.record_type,
            ids=[other.pk],
        )
        return HttpResponseRedirect(reverse(self.record_url_name, args=[survivor.pk]))

    def page(self, record, other, form, status=200):
        context = {
            "record": record,
            "other": other,
            "form": form,
            "rows": [(row, form[row.name] if row.contested else None) for row in form.rows],
            "tags": united_tags(record, other),
            "moves": self.moves(record, other),
            "swap_url": reverse(self.url_name, args=[other.pk, record.pk]),
            "record_url": reverse(self.record_url_name, args=[record.pk]),
            "other_url": reverse(self.record_url_name, args=[other.pk]),
            "record_type": self.record_type,
        }
        return render(self.request, self.template_name, context, status=status)

    def rows(self, record, other) -> list[FieldRow]:
        rows = []
        for name in self.fields:
            field = self.model._meta.get_field(name)
            mine, theirs = getattr(record, field.attname), getattr(other, field.attname)
            if field.is_relation:
                mine_text, theirs_text = shown(getattr(record, name)), shown(getattr(other, name))
            elif name == "custom_fields":
                mine_text, theirs_text = custom_text(mine), custom_text(theirs)
                mine, theirs = custom_contested(mine, theirs)
            else:
                mine_text, theirs_text = shown(mine), shown(theirs)
            rows.append(
                FieldRow(
                    name=name,
                    label=str(field.verbose_name).capitalize(),
                    mine=mine_text,
                    theirs=theirs_text,
                    contested=not is_empty(mine) and not is_empty(theirs) and mine != theirs,
                    filled=is_empty(mine) and not is_empty(theirs),
                )
            )
        return rows

    def moves(self, record, other) -> str:
        """What moves to the record that stays: "12 activities, 3 deals, 40 notes" (one
        count per kind of link)."""
        parts = []
        for rel in reverse_links(self.model):
            rows = rel.related_model.objects.for_account(self.request.account).filter(
                **{rel.field.attname: other.pk}
            )
            if rel.related_model is self.model:
                rows = rows.exclude(pk=record.pk)
            count = rows.count()
            if count:
                meta = rel.related_model._meta
                noun = meta.verbose_name if count == 1 else meta.verbose_name_plural
                if rel.related_model is self.model:
                    noun = "subsidiary" if count == 1 else "subsidiaries"
                parts.append(f"{count} {noun}")
        return ", ".join(parts)


def shown(value) -> str:
    return "" if value is None else str(value)


def custom_text(values: dict) -> str:
    return ", ".join(f"{key}: {value}" for key, value in (values or {}).items() if value != "")


def custom_contested(mine: dict, theirs: dict):
    """The custom fields both records set differently (compared as the field would be)."""
    mine, theirs = mine or {}, theirs or {}
    clash = {
        key
        for key in mine.keys() & theirs.keys()
        if not is_empty(mine[key]) and not is_empty(theirs[key]) and mine[key] != theirs[key]
    }
    return ({k: mine[k] for k in clash} or None), ({k: theirs[k] for k in clash} or None)


def united_tags(record, other) -> list[str]:
    have = {tag.name_key for tag in record.tag_list}
    return [t.name for t in record.tag_list] + [
        t.name for t in other.tag_list if t.name_key not in have
    ]


class ContactMergeView(MergeView):
    model = Contact
    record_type = "contact"
    fields = CONTACT_MERGE_FIELDS
    related = ("company", "owner")
    url_name = "web:contact-merge"
    record_url_name = "web:contact"

    def merge(self, record, other, prefer_other):
        return contact_merge(
            contact=record,
            other=other,
            prefer_other=prefer_other,
            by=self.request.user,
            source=Source.UI,
        )


class CompanyMergeView(MergeView):
    model = Company
    record_type = "company"
    fields = COMPANY_MERGE_FIELDS
    related = ("parent", "owner")
    url_name = "web:company-merge"
    record_url_name = "web:company"

    def merge(self, record, other, prefer_other):
        return company_merge(
            company=record,
            other=other,
            prefer_other=prefer_other,
            by=self.request.user,
            source=Source.UI,
        )

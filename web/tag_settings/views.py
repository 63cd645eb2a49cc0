"""The account's tags, managed by its owners and admins (members read): the list with
how many contacts and companies carry each, a tag's page (rename, colour), merging it
into another tag and deleting it. Writes go through accounts/services.py."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.models import Tag
from accounts.services import TagMergeRefused, tag_update, tags_delete, tags_merge
from accounts.tags import tag_links
from events.models import Source
from lib.errors import UniqueConflict
from lib.ids import parse_id
from web.roles import ManagersWriteMixin, may_manage
from web.tag_settings.forms import TagForm, TagMergeForm
from web.tenancy import AccountViewMixin


def attach_counts(account_id: int, tags) -> None:
    """Set `contact_count` and `company_count` on each tag: one grouped query per
    tagged model, whatever the number of tags."""
    counts = {}
    for through, record_field in tag_links():
        rows = (
            through.objects.for_account(account_id)
            .filter(tag_id__in=[tag.pk for tag in tags])
            .values_list("tag_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts[record_field.related_model._meta.model_name] = dict(rows)
    for tag in tags:
        tag.contact_count = counts.get("contact", {}).get(tag.pk, 0)
        tag.company_count = counts.get("company", {}).get(tag.pk, 0)


class TagSettingsView(AccountViewMixin, ManagersWriteMixin, View):
    model = Tag

    def tag_url(self, tag) -> str:
        return reverse("web:tag-settings-tag", args=[tag.pk])


class TagListView(TagSettingsView):
    """GET: the tags, 100 a page, each with its contacts and companies (four queries)."""

    page_size = 100

    def get(self, request):
        page = Paginator(self.get_queryset(), self.page_size).get_page(
            parse_id(request.GET.get("page", "")) or 1
        )
        tags = list(page.object_list)
        attach_counts(request.account.pk, tags)
        context = {"page": page, "tags": tags, "may_manage": may_manage(request)}
        return render(request, "web/tag_settings/list.html", context)


class TagDetailView(TagSettingsView):
    """GET: a tag's page: its name and colour, the merge and the delete. POST: save
    the name and colour."""

    def render_page(self, tag, *, form=None, merge_form=None, status=200):
        attach_counts(self.request.account.pk, [tag])
        context = {
            "tag": tag,
            "form": form or TagForm(instance=_copy(tag), account=self.request.account),
            "merge_form": merge_form or TagMergeForm(),
            "others": self.get_queryset().exclude(pk=tag.pk).only("id", "name"),
            "may_manage": may_manage(self.request),
        }
        return render(self.request, "web/tag_settings/tag.html", context, status=status)

    def get(self, request, pk):
        return self.render_page(self.get_object())

    def post(self, request, pk):
        tag = self.get_object()
        form = TagForm(request.POST, instance=_copy(tag), account=request.account)
        if not form.is_valid():
            return self.render_page(tag, form=form, status=400)
        try:
            tag = tag_update(tag=tag, data=form.changed_values())
        except UniqueConflict as exc:  # another tag took the name meanwhile
            form.add_error(None, exc)
            return self.render_page(self.get_object(), form=form, status=400)
        except Tag.DoesNotExist:
            raise Http404("The tag was deleted meanwhile.") from None
        messages.success(request, f"Tag “{tag.name}” saved.")
        return HttpResponseRedirect(self.tag_url(tag))


def _copy(tag: Tag) -> Tag:
    """A copy for a form to validate into, so that the page keeps the stored values."""
    return Tag(
        pk=tag.pk, account_id=tag.account_id, name=tag.name, name_key=tag.name_key, color=tag.color
    )


class TagMergeView(TagDetailView):
    """POST: merge this tag into `into` (another of the account's tags, else 404):
    its contacts and companies carry that one instead, and this one is deleted."""

    http_method_names = ["post"]

    def post(self, request, pk):
        source = self.get_object()
        form = TagMergeForm(request.POST)
        if not form.is_valid():
            return self.render_page(source, merge_form=form, status=400)
        try:
            target = self.get_queryset().get(pk=form.cleaned_data["into"])
        except Tag.DoesNotExist:
            raise Http404("No such tag.") from None
        try:
            tags_merge(
                account_id=request.account.pk,
                source=source,
                target=target,
                by=request.user,
                via=Source.UI,
            )
        except TagMergeRefused as exc:
            form.add_error("into", str(exc))
            return self.render_page(source, merge_form=form, status=400)
        except Tag.DoesNotExist:
            raise Http404("The tag was deleted meanwhile.") from None
        messages.success(request, f"Tag “{source.name}” merged into “{target.name}”.")
        return HttpResponseRedirect(self.tag_url(target))


class TagDeleteView(TagSettingsView):
    """GET: ask first (what carries the tag). POST: delete it; its records stay."""

    def get(self, request, pk):
        tag = self.get_object()
        attach_counts(request.account.pk, [tag])
        context = {"tag": tag, "may_manage": may_manage(request)}
        return render(request, "web/tag_settings/tag_delete.html", context)

    def post(self, request, pk):
        tag = self.get_object()
        tags_delete(account_id=request.account.pk, tag_ids=[tag.pk])
        messages.success(request, f"Tag “{tag.name}” deleted.")
        return HttpResponseRedirect(reverse("web:tag-settings"))

"""The admin's side of the tenancy mechanism.

Superusers see every account (and say so: `dangerously_unscoped()`); other staff see
the accounts they are members of. Foreign-key choices follow the same scope, and a
row's related records must belong to its account (`AccountOwned.clean`).
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from accounts.models import Account, User
from accounts.tenancy import AccountOwned


def admin_account_ids(request) -> list[int]:
    """The accounts a staff user may administer. One query, cached on the request."""
    if not hasattr(request, "_admin_account_ids"):
        request._admin_account_ids = list(
            request.user.memberships.values_list("account_id", flat=True)
        )
    return request._admin_account_ids


def scope_for_admin(queryset, request):
    model = queryset.model
    if request.user.is_superuser:
        return queryset.dangerously_unscoped() if issubclass(model, AccountOwned) else queryset
    ids = admin_account_ids(request)
    if issubclass(model, AccountOwned):
        return queryset.for_accounts(ids)
    if model is Account:
        return queryset.filter(pk__in=ids)
    if model is User:
        return queryset.filter(memberships__account_id__in=ids).distinct()
    return queryset


class AccountScopedRelatedListFilter(admin.RelatedFieldListFilter):
    """A foreign-key list filter whose choices come from the admin user's accounts."""

    def field_choices(self, field, request, model_admin):
        queryset = scope_for_admin(field.related_model._default_manager.all(), request)
        return [(obj.pk, str(obj)) for obj in queryset]


class AccountScopedAdmin(admin.ModelAdmin):
    """Base ModelAdmin for every CRM model."""

    list_select_related = ["account"]

    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        kwargs.setdefault("queryset", scope_for_admin(related._default_manager.all(), request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        kwargs.setdefault("queryset", scope_for_admin(related._default_manager.all(), request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        ids = admin_account_ids(request)
        if len(ids) == 1:
            initial.setdefault("account", ids[0])
        return initial


class AccountScopedInlineFormSet(BaseInlineFormSet):
    """Inline rows take their parent's account before they are validated, so
    `AccountOwned.clean` can refuse a related record of another account."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.account_id = self.instance.account_id
        return form


class AccountScopedInline(admin.TabularInline):
    formset = AccountScopedInlineFormSet

    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        kwargs.setdefault("queryset", scope_for_admin(related._default_manager.all(), request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

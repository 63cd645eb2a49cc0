"""The admin's side of the tenancy mechanism.

Superusers see every account (and say so: `dangerously_unscoped()`); other staff see
the accounts they administer: those where their membership is an owner's or an
admin's. The staff flag only opens the admin's door; a mere member's role does not
administer an account (it would let them promote themselves through the account's
memberships). Foreign-key choices follow the same scope, and a row's related records
must belong to its account (`AccountOwned.clean`). Site-wide tables (tokens, groups,
task results) hold every account's data and are for superusers only.
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import Http404

from accounts.memberships import acting_memberships
from accounts.models import Account, Membership, User
from accounts.tenancy import AccountOwned
from lib.currencies import currency_choices_ordered

ADMINISTERING_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def admin_account_ids(request) -> list[int]:
    """The accounts a staff user administers (owner or admin there). One query,
    cached on the request."""
    if not hasattr(request, "_admin_account_ids"):
        # Only active memberships: a deactivated owner administers nothing.
        request._admin_account_ids = list(
            acting_memberships()
            .filter(user=request.user, role__in=ADMINISTERING_ROLES)
            .values_list("account_id", flat=True)
        )
    return request._admin_account_ids


def may_change_user(request, user: User) -> bool:
    """Whether the admin user may change `user` (password, active flag, delete).

    Superusers may change anyone. Other staff only someone who is not a superuser,
    not another staff user (staff powers are site-wide, granted by superusers), and
    all of whose memberships lie in accounts they administer: a user shared with an
    account they do not administer would otherwise be a way into that account. One
    query per user, cached on the request (the admin asks several times a page).
    """
    if request.user.is_superuser:
        return True
    if user.is_superuser or (user.is_staff and user.pk != request.user.pk):
        return False
    answers = request.__dict__.setdefault("_may_change_users", {})
    if user.pk not in answers:
        answers[user.pk] = not user.memberships.exclude(
            account_id__in=admin_account_ids(request)
        ).exists()
    return answers[user.pk]


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


class NotFoundOutsideScope:
    """A record outside the user's queryset (another account's, or none at all) is a
    404 on its change, delete and history pages, as everywhere else in the product.

    Django's admin answers a redirect to the index with "doesn't exist" instead; every
    view that finds no object goes through this one method (Django 2.1+)."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(f"No {opts.verbose_name} with this id.")


class AccountScopedAdmin(NotFoundOutsideScope, admin.ModelAdmin):
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
    `AccountOwned.clean` can refuse a related record of another account; and each
    row's hidden id is looked up in that account only."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.account_id = self.instance.account_id
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django builds the hidden id field from the model's unscoped default manager
        # (BaseModelFormSet.add_fields), which fails closed on a CRM model.
        id_field = form.fields.get(self._pk_field.name)
        if id_field is None or not issubclass(self.model, AccountOwned):
            return
        rows = self.model._default_manager.all()
        account_id = self.instance.account_id
        id_field.queryset = rows.for_account(account_id) if account_id else rows.none()


class AccountScopedInline(admin.TabularInline):
    formset = AccountScopedInlineFormSet

    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        kwargs.setdefault("queryset", scope_for_admin(related._default_manager.all(), request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Mixin for a site-wide table: every account's rows, so superusers only. Staff
    get 403 and do not see it on the index, whatever model permissions they hold."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class ActiveCurrenciesAdminMixin:
    """A `currency` field offers the active codes only (lib/currencies.py), by code,
    and the record's own code first, even a withdrawn one (saving an old record must
    not refuse it)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class per request
        field = form.base_fields.get("currency")
        if field is not None:
            field.choices = currency_choices_ordered([], keep=getattr(obj, "currency", None))
        return form

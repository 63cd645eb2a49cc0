"""The admin's side of the tenancy mechanism.

Superusers see every account (and say so: `dangerously_unscoped()`); other staff see
the accounts they administer: those where their membership is an owner's or an
admin's. The staff flag only opens the admin's door; a mere member's role does not
administer an account (it would let them promote themselves through the account's
memberships). Foreign-key choices follow the same scope, and a row's related records
must belong to its account (`AccountOwned.clean`). Site-wide tables (tokens, groups,
task results) hold every account's data and are for superusers only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import ModelChoiceField
from django.forms.models import BaseInlineFormSet
from django.http import Http404

from accounts.memberships import acting_memberships
from accounts.models import ACTIVE_MEMBER, Account, Membership, User
from accounts.tenancy import AccountOwned
from lib.currencies import currency_choices_ordered
from lib.errors import StateConflict

ADMINISTERING_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def admin_account_ids(request) -> list[int]:
    """The accounts a staff user administers (owner or admin there). One query,
    cached on the request."""
    return list(_administered_roles(request))


def _administered_roles(request) -> dict[int, str]:
    """{account id: the staff user's role there} for the accounts they administer.
    One query, cached on the request."""
    if not hasattr(request, "_administered_roles"):
        # Only active memberships: a deactivated owner administers nothing.
        request._administered_roles = dict(
            acting_memberships()
            .filter(user=request.user, role__in=ADMINISTERING_ROLES)
            .values_list("account_id", "role")
        )
    return request._administered_roles


def may_change_user(request, user: User) -> bool:
    """Whether the admin user may change `user` (password, active flag, delete).

    Superusers may change anyone. Other staff only someone who is not a superuser,
    not another staff user (staff powers are site-wide, granted by superusers), and
    all of whose memberships lie in accounts they administer: a user shared with an
    account they do not administer would otherwise be a way into that account. Where
    `user` is an owner (even a deactivated one), the staff user must be an owner too,
    the rule of `Membership.may_change_member`: an admin who could set an owner's
    password would sign in as them and take the account. One query per user, cached
    on the request (the admin asks several times a page).
    """
    if request.user.is_superuser:
        return True
    if user.is_superuser or (user.is_staff and user.pk != request.user.pk):
        return False
    answers = request.__dict__.setdefault("_may_change_users", {})
    if user.pk not in answers:
        roles = _administered_roles(request)
        owned = [account_id for account_id, role in roles.items() if role == Membership.Role.OWNER]
        out_of_reach = ~Q(account_id__in=list(roles)) | (
            Q(role=Membership.Role.OWNER) & ~Q(account_id__in=owned)
        )
        answers[user.pk] = not user.memberships.filter(out_of_reach).exists()
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


def assignable_for_admin(request, *, keep=None):
    """The users the admin user may make the owner of a record: active members of an
    account they administer (any account's, for a superuser), and `keep`, the user
    the record has now. Which account's member is the record's own: checked by
    `AccountScopedAdminForm`."""
    if request.user.is_superuser:
        active = ACTIVE_MEMBER
    else:
        ids = admin_account_ids(request)
        active = Q(memberships__account_id__in=ids) & ACTIVE_MEMBER
    if keep is not None:
        active |= Q(pk=keep)
    return User.objects.filter(active).distinct()


def user_fields(form_class) -> list[str]:
    """The names of a form's fields that choose a user (a record's `owner`)."""
    return [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, ModelChoiceField) and field.queryset.model is User
    ]


class AccountScopedAdminForm(forms.ModelForm):
    """The admin's form of a CRM record: a saved record keeps its account, and a user
    it names (its owner) must be one the record may be assigned to in its own account
    (`User.objects.assignable_to`): an active member, or the user it has now, even one
    deactivated since. One query per user field set."""

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and "account" in self.changed_data:
            # Its links, events and unique names are that account's; the services
            # look a record up in its account, and a save never moves it
            # (AccountOwned._do_update): say so rather than ignore the change.
            self.add_error("account", "A record stays in its account.")
            return data
        account = data.get("account") or (
            self.instance.account if self.instance.account_id is not None else None
        )
        if account is None:
            return data
        for name in user_fields(type(self)):
            user = data.get(name)
            if user is None or name not in self.fields:
                continue
            keep = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
            if not User.objects.assignable_to(account, keep=keep).filter(pk=user.pk).exists():
                self.add_error(name, "Pick an active member of the record's account.")
        return data


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
    form = AccountScopedAdminForm

    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is User:  # an owner: someone who may be assigned records
            kwargs.setdefault("queryset", assignable_for_admin(request))
        kwargs.setdefault("queryset", scope_for_admin(related._default_manager.all(), request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class per request
        if obj is not None:  # the record keeps its owner, even one deactivated since
            for name in user_fields(form):
                keep = getattr(obj, f"{name}_id", None)
                form.base_fields[name].queryset = assignable_for_admin(request, keep=keep)
        return form

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


class RefusalsAsFormErrors:
    """Mixin for a ModelAdmin whose saves go through services: what a service refuses
    while saving (a UniqueConflict when a concurrent request took the name after this
    form was validated, a StateConflict such as a stage that holds deals, any other
    ValidationError) shows on the form, as a validation error would, instead of a 500.

    The admin saves in one transaction, which the refusal rolls back whole; the page
    is then built again from the same POST with the refusal added to the form's
    errors (on the field it names when the form has it), so nothing is half-written
    and the user sees what they typed."""

    refusals = (ValidationError, StateConflict)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.refusals as refusal:
            if request.method != "POST" or hasattr(request, "_admin_refusal"):
                raise
            request._admin_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "_admin_refusal", None)
        if refusal is None:
            return form
        return type(form.__name__, (RefusedForm, form), {"refusal": refusal})


class RefusedForm:
    """Mixed into a form class by RefusalsAsFormErrors: `refusal` joins the errors of
    a form that is otherwise valid (one that is not already says why, likely the same
    thing, now that the concurrent write has committed)."""

    refusal: Exception

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        refusal = self.refusal
        if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
            for name, errors in refusal.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            messages = refusal.messages if isinstance(refusal, ValidationError) else [refusal]
            self.add_error(None, [str(message) for message in messages])


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

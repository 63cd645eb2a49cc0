from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import TokenProxy

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedRelatedListFilter,
    ActiveCurrenciesAdminMixin,
    NotFoundOutsideScope,
    RefusalsAsFormErrors,
    SuperuserOnlyAdmin,
    assignable_for_admin,
    may_change_user,
    scope_for_admin,
)
from accounts.memberships import acting_memberships
from accounts.models import Account, Membership, Tag, User
from accounts.services import (
    ACCOUNT_SETTINGS,
    LastOwner,
    OwnersOnly,
    account_update,
    membership_add,
    membership_change_role,
    membership_deactivate,
    membership_reactivate,
    membership_remove,
    tag_create,
    tag_update,
    tags_delete,
)
from accounts.tenancy import AccountOwned

# Tables that Django and third-party apps register hold every account's rows: API
# tokens (a key is a way into its account), task arguments and tracebacks, and the
# site-wide permission groups. Those apps come before `accounts` in INSTALLED_APPS,
# so their admins are registered by now; unregister fails loudly if that changes.
for site_wide_model in (TokenProxy, DBTaskResult, Group):
    original = type(admin.site.get_model_admin(site_wide_model))
    admin.site.unregister(site_wide_model)
    admin.site.register(
        site_wide_model, type(original.__name__, (SuperuserOnlyAdmin, original), {})
    )


OWNERS_ONLY = "Only an owner can change an owner’s membership or make someone an owner."


class MembershipInlineFormSet(BaseInlineFormSet):
    """An account's memberships in the admin: a row keeps its user once saved, and a
    save that would leave an account that has an active owner without one is refused
    here, with the message the services give (they refuse it again under their lock)."""

    # Set per request by MembershipInline.get_formset: a superuser may change anyone's
    # membership; other staff act through their own membership of the account (None:
    # they have none, and change nothing).
    unrestricted = False
    acting: Membership | None = None

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        for form in self.forms:
            if form.instance.pk is not None and "user" in form.changed_data:
                form.add_error("user", "A membership keeps its user: delete it and add a row.")
            elif not self._may_change(form):
                form.add_error(None, OWNERS_ONLY)
        if any(self.errors):
            return
        if self.instance.pk is None:
            return
        had_owner = any(
            form.instance.pk is not None
            and form.initial.get("role") == Membership.Role.OWNER
            and form.initial.get("is_active", True)
            for form in self.forms
        )
        keeps_owner = any(
            form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == Membership.Role.OWNER
            and form.cleaned_data.get("is_active", True)
            for form in self.forms
        )
        if had_owner and not keeps_owner:
            raise ValidationError(str(LastOwner()))

    def _may_change(self, form) -> bool:
        """Whether the acting user may make this row's change: only an owner touches
        an owner or makes one (`Membership.may_change_member`, as on the web's members
        page), whether the row is added, changed or deleted."""
        if self.unrestricted or not (form.has_changed() or self._should_delete_form(form)):
            return True
        if self.acting is None:
            return False
        current = Membership(role=form.initial.get("role", Membership.Role.MEMBER))
        role = None if self._should_delete_form(form) else form.cleaned_data.get("role")
        return self.acting.may_change_member(current, role=role)


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "is_active"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = scope_for_admin(User.objects.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # a new class each call
        formset.unrestricted = request.user.is_superuser
        if not formset.unrestricted and obj is not None:
            formset.acting = acting_memberships().filter(user=request.user, account=obj).first()
        return formset


@admin.register(Account)
class AccountAdmin(ActiveCurrenciesAdminMixin, NotFoundOutsideScope, admin.ModelAdmin):
    list_display = ["name", "currency", "phone_region", "time_zone", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:  # through the service, as the API's PATCH and the web app's page
            account_update(
                account=obj,
                data={
                    name: form.cleaned_data[name]
                    for name in form.changed_data
                    if name in ACCOUNT_SETTINGS
                },
            )
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        try:
            save_memberships(form.instance, formset)
        except (LastOwner, OwnersOnly) as exc:  # raced with another change: that one won
            messages.error(request, str(exc))


def save_memberships(account: Account, formset) -> None:
    """Apply the admin's membership rows through the services (the last-owner rule
    and "only an owner touches an owner" hold here too, `by` the staff user's own
    membership): what adds owners first, what may take them away last, so handing
    the account from one owner to another in one save never leaves it without one."""
    by = None if formset.unrestricted else formset.acting
    removed = [row.instance for row in formset.deleted_forms if row.instance.pk is not None]
    deleted = {membership.pk for membership in removed}
    gains, losses, new, changed = [], [], [], []
    for row in formset.forms:
        if not row.has_changed() or row.instance.pk in deleted or not row.cleaned_data:
            continue
        data = row.cleaned_data
        if row.instance.pk is None:
            gains.append(lambda d=data: new.append(_membership_add_row(account, d, by)))
            continue
        membership = row.instance
        changed.append((membership, row.changed_data))
        role, active = data.get("role"), data.get("is_active", True)
        if "is_active" in row.changed_data and active:
            gains.append(lambda m=membership: membership_reactivate(membership=m, by=by))
        if "role" in row.changed_data:
            change = (gains if role == Membership.Role.OWNER else losses).append
            change(lambda m=membership, r=role: membership_change_role(membership=m, role=r, by=by))
        if "is_active" in row.changed_data and not active:
            losses.append(lambda m=membership: membership_deactivate(membership=m, by=by))
    for step in gains + losses:
        step()
    for membership in removed:
        membership_remove(membership=membership, by=by)
    # What the admin's change message and history read (formset.save() would set them).
    formset.new_objects, formset.changed_objects, formset.deleted_objects = new, changed, removed


def _membership_add_row(account: Account, data: dict, by) -> Membership:
    membership = membership_add(account=account, user=data["user"], role=data["role"], by=by)
    if not data.get("is_active", True):
        membership = membership_deactivate(membership=membership, by=by)
    return membership


@admin.register(User)
class UserAdmin(NotFoundOutsideScope, DjangoUserAdmin):
    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if _autocompletes_an_owner(request):
            # A CRM record's owner: only someone who may be assigned records now.
            queryset = queryset.filter(pk__in=assignable_for_admin(request).values("pk"))
        return queryset, may_have_duplicates

    def has_change_permission(self, request, obj=None):
        # Also guards the password form (user_change_password asks this) and the
        # delete pages; other users stay visible read-only.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_user(request, obj))

    def has_delete_permission(self, request, obj=None):
        # The bulk delete action asks this for every selected user.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change_user(request, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or may_change_user(request, obj):
            return fieldsets
        # Read-only: no "Reset password" link to a form they may not use.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        # Staff of one account must not hand out site-wide powers.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "is_staff", "groups", "user_permissions"]
        return readonly


def _autocompletes_an_owner(request) -> bool:
    """Whether this is the admin's autocomplete of a CRM record's user field (not a
    membership's user, who is being added to the account)."""
    if not request.path.endswith("/autocomplete/"):
        return False
    try:
        model = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
    except (LookupError, ValueError):
        return False
    return issubclass(model, AccountOwned)


TAG_FIELDS = ("name", "color")


@admin.register(Tag)
class TagAdmin(RefusalsAsFormErrors, AccountScopedAdmin):
    list_display = ["name", "color", "account"]
    list_filter = [("account", AccountScopedRelatedListFilter)]
    search_fields = ["name"]
    ordering = ["name"]

    # Through the services, as the API and the web app: a rename or delete moves the
    # tagged records' versions; a name a concurrent request took first is a
    # UniqueConflict, shown on the form (RefusalsAsFormErrors).
    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            tag_update(tag=obj, data={k: v for k, v in data.items() if k in TAG_FIELDS})
        else:
            data = {name: form.cleaned_data[name] for name in TAG_FIELDS}
            created = tag_create(account=obj.account, data=data)
            for field in created._meta.concrete_fields:  # the admin reads the saved row
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state.adding, obj._state.db = False, created._state.db

    def delete_model(self, request, obj):
        tags_delete(account_id=obj.account_id, tag_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        for account_id in {tag.account_id for tag in queryset}:
            tags_delete(
                account_id=account_id,
                tag_ids=[tag.pk for tag in queryset if tag.account_id == account_id],
            )

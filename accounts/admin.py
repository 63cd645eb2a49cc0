from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import TokenProxy

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedRelatedListFilter,
    ActiveCurrenciesAdminMixin,
    NotFoundOutsideScope,
    SuperuserOnlyAdmin,
    may_change_user,
    scope_for_admin,
)
from accounts.models import Account, Membership, Tag, User
from accounts.services import tag_update, tags_delete

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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = scope_for_admin(User.objects.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Account)
class AccountAdmin(ActiveCurrenciesAdminMixin, NotFoundOutsideScope, admin.ModelAdmin):
    list_display = ["name", "currency", "phone_region", "time_zone", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(NotFoundOutsideScope, DjangoUserAdmin):
    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

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


@admin.register(Tag)
class TagAdmin(AccountScopedAdmin):
    list_display = ["name", "color", "account"]
    list_filter = [("account", AccountScopedRelatedListFilter)]
    search_fields = ["name"]
    ordering = ["name"]

    # Through the services, as the API: a rename or delete moves the tagged records'
    # versions.
    def save_model(self, request, obj, form, change):
        if change:
            tag_update(tag=obj, data={name: form.cleaned_data[name] for name in form.changed_data})
        else:
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        tags_delete(account_id=obj.account_id, tag_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        for account_id in {tag.account_id for tag in queryset}:
            tags_delete(
                account_id=account_id,
                tag_ids=[tag.pk for tag in queryset if tag.account_id == account_id],
            )

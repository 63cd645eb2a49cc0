from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter, scope_for_admin
from accounts.models import Account, Membership, Tag, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = scope_for_admin(User.objects.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "currency", "phone_region", "time_zone", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    def get_queryset(self, request):
        return scope_for_admin(super().get_queryset(request), request)

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

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter, scope_for_admin
from accounts.models import Account, Membership, Tag, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


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


@admin.register(Tag)
class TagAdmin(AccountScopedAdmin):
    list_display = ["name", "color", "account"]
    list_filter = [("account", AccountScopedRelatedListFilter)]
    search_fields = ["name"]
    ordering = ["name"]

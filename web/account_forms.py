"""The base of every web form that writes a CRM row: it belongs to the request's
account, and every related choice is among that account's rows.

As the API's related fields (accounts/api/fields.py) and the admin's base class
(accounts/admin_base.py) do: each foreign key and many-to-many field, declared or
generated from the model, gets its queryset scoped to `account` (a user field: the
account's members), so another account's id is "not one of the available choices",
never a leak. A form narrows a field further after `super().__init__()`; whatever it
declares (`Company.objects.only("id", "name")`) is scoped first.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist

from accounts.models import User
from accounts.tenancy import AccountOwned


def scoped_choices(queryset, account, *, keep=None):
    """`queryset` (maybe `Model.objects.none()` as a placeholder) among `account`'s rows;
    for users, the members a record may be assigned to, and `keep`, the user id the
    record already has (`User.objects.assignable_to`)."""
    model = queryset.model
    if queryset.query.is_empty():
        queryset = model._default_manager.all()
    if issubclass(model, AccountOwned):
        return queryset.for_account(account)
    if issubclass(model, User):
        return queryset.assignable_to(account, keep=keep)
    raise TypeError(f"No account scope for {model.__name__}")


class AccountFormMixin:
    """For any form taking `account=`: its model choice fields scoped to the account."""

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):  # and ModelMultipleChoiceField
                field.queryset = scoped_choices(field.queryset, account, keep=self.kept_id(name))

    def kept_id(self, name: str):
        """The id the edited record has in field `name` now (None on a new one): still a
        valid choice, even a member deactivated since."""
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return None
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:  # a form field of its own (tags as names, ...)
            return None
        return getattr(instance, field.attname, None) if field.many_to_one else None


class AccountModelForm(AccountFormMixin, forms.ModelForm):
    """A ModelForm of a record of `account` (set on the instance as well)."""

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, account=account, **kwargs)
        self.instance.account = account

"""Forms of the members area: inviting a teammate, changing a role, and the
teammate's own first password (Django's SetPasswordForm)."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from accounts.models import Membership, User


class InviteForm(forms.Form):
    """A new teammate: the user to create and their role in the account."""

    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they sign in with: letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False, max_length=254)
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def __init__(self, *args, acting: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        if not acting.is_owner:  # only an owner makes another owner
            self.fields["role"].choices = [
                choice for choice in Membership.Role.choices if choice[0] != Membership.Role.OWNER
            ]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        # Checked again by the service (in its transaction): this is the friendly answer.
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is already taken.")
        return username

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)

"""web/account_forms.py: every related field of a web form chooses among the request's
account's rows, declared or generated, so another account's id is a form error."""

import pytest
from django import forms

from accounts.models import User
from companies.models import Company
from notes.models import Note
from tests.factories import CompanyFactory, ContactFactory, DealFactory, PipelineFactory
from web.account_forms import AccountModelForm
from web.contacts.forms import ContactForm
from web.deals.forms import DealForm

pytestmark = pytest.mark.django_db


class NoteLinksForm(AccountModelForm):
    """Every foreign key generated from the model, none declared."""

    class Meta:
        model = Note
        fields = ["contact", "company", "deal", "author"]


def records(account):
    company = CompanyFactory(account=account)
    return {
        "company": company,
        "contact": ContactFactory(account=account, company=company),
        "deal": DealFactory(pipeline=PipelineFactory(account=account)),
    }


def test_generated_foreign_keys_choose_among_the_accounts_rows(owner, teammate, outsider):
    mine, theirs = records(owner.account), records(outsider.account)
    form = NoteLinksForm(account=owner.account)
    for name, record in mine.items():
        assert list(form.fields[name].queryset) == [record]
    assert set(form.fields["author"].queryset) == {owner.user, teammate.user}
    assert theirs["company"] not in form.fields["company"].queryset


def test_another_accounts_ids_are_form_errors(owner, outsider):
    theirs = records(outsider.account)
    data = {name: record.pk for name, record in theirs.items()} | {"author": outsider.user.pk}
    form = NoteLinksForm(data, account=owner.account)
    assert not form.is_valid()
    assert set(form.errors) == {"contact", "company", "deal", "author"}
    assert form.instance.account == owner.account


def test_a_declared_field_keeps_its_narrowing_and_is_scoped(owner, outsider):
    CompanyFactory(account=outsider.account, name="Globex")
    acme = CompanyFactory(account=owner.account, name="Acme")
    field = ContactForm(account=owner.account).fields["company"]
    assert list(field.queryset) == [acme]
    assert field.queryset.query.deferred_loading[0] == {"id", "name"}


def test_the_deal_form_offers_only_the_accounts_pipelines_and_people(owner, outsider):
    PipelineFactory(account=outsider.account)
    ours = PipelineFactory(account=owner.account)
    form = DealForm(account=owner.account)
    assert list(form.fields["pipeline"].queryset) == [ours]
    assert outsider.user not in form.fields["owner"].queryset


def test_a_model_without_an_account_scope_is_refused(owner):
    class Unscopable(AccountModelForm):
        things = forms.ModelChoiceField(queryset=Company.objects.none())
        users = forms.ModelChoiceField(queryset=User.objects.none())
        groups = forms.ModelChoiceField(queryset=User.groups.field.related_model.objects.all())

        class Meta:
            model = Company
            fields = ["name"]

    with pytest.raises(TypeError, match="No account scope for Group"):
        Unscopable(account=owner.account)

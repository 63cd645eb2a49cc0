"""The trash page of the staff UI: the account's deleted records newest first, by type,
a page at a time; restore one, several or all (each record on its own, a clash named
with the record in the way); owners and admins empty it, members cannot."""

import pytest
from django.contrib.messages import get_messages

from accounts.models import Membership
from contacts.models import Contact
from deals.models import Deal
from events.kinds import kind_named
from events.models import Source
from tests.conftest import make_actor
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
)
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for
from trash.models import TrashedRecord
from trash.services import records_trash

pytestmark = pytest.mark.django_db


def trashed(record, by=None):
    """`record` deleted the way every face deletes it: into the trash."""
    kind = kind_named(record._meta.model_name)
    records_trash(kind, rows=[record], by=by, source=Source.UI)
    return record


def key(record) -> str:
    return f"{record._meta.model_name}:{record.pk}"


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- the list -------------------------------------------------------------------------


def test_the_trash_lists_the_accounts_deleted_records_newest_first(owner, teammate, pipeline):
    ada = trashed(ContactFactory(account=owner.account, first_name="Ada", last_name="Byron"))
    trashed(CompanyFactory(account=owner.account, name="Initech"), by=teammate.user)
    trashed(DealFactory(pipeline=pipeline, title="Big renewal"), by=owner.user)
    page = client_for(owner).get("/trash/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Big renewal") < html.index("Initech") < html.index("Ada Byron")
    assert ">Company</span>" in html and ">Deal</span>" in html and ">Contact</span>" in html
    assert teammate.user.username in html or teammate.user.get_full_name() in html
    purge_on = (
        TrashedRecord.objects.for_account(owner.account)
        .get(record_type="contact", record_id=ada.pk)
        .purge_at
    )
    assert purge_on.date().isoformat() in html  # the <time datetime> of "purged on"
    assert f'value="contact:{ada.pk}"' in html


def test_the_trash_shows_no_other_accounts_records(owner, outsider):
    trashed(ContactFactory(account=outsider.account, first_name="Zed", last_name="Secret"))
    html = client_for(owner).get("/trash/").content.decode()
    assert "Zed Secret" not in html
    assert "The trash is empty" in html


def test_the_trash_filters_by_type(owner):
    trashed(ContactFactory(account=owner.account, first_name="Ada", last_name="Byron"))
    trashed(ActivityFactory(account=owner.account, subject="Call back"))
    html = client_for(owner).get("/trash/", {"type": "activity"}).content.decode()
    assert "Call back" in html and "Ada Byron" not in html
    partial = client_for(owner).get("/trash/?type=contact", HTTP_HX_REQUEST="true")
    assert "Ada Byron" in partial.content.decode() and "<html" not in partial.content.decode()


def test_an_unknown_type_is_ignored_with_a_message_not_an_error(owner):
    trashed(ContactFactory(account=owner.account, first_name="Ada", last_name="Byron"))
    page = client_for(owner).get("/trash/", {"type": "contacts", "page": "x"})
    assert page.status_code == 200
    assert "That filter was ignored" in page.content.decode()
    assert "Ada Byron" in page.content.decode()


def _list_queries(client):
    with capture_queries() as captured:
        assert client.get("/trash/").status_code == 200
    return captured


def test_the_trash_costs_the_same_queries_whatever_its_size(owner, teammate, pipeline):
    client = client_for(owner)
    trashed(ContactFactory(account=owner.account), by=owner.user)
    few = _list_queries(client)
    for n in range(30):
        trashed(ContactFactory(account=owner.account), by=(owner.user, teammate.user)[n % 2])
        trashed(NoteFactory(account=owner.account, body=f"<p>Note {n}</p>"), by=teammate.user)
    trashed(DealFactory(pipeline=pipeline))
    assert_same_count(few, _list_queries(client))


def test_the_trash_is_in_the_navigation(owner):
    html = client_for(owner).get("/trash/").content.decode()
    assert '<a href="/trash/" aria-current="page">Trash</a>' in html


# -- restore --------------------------------------------------------------------------


def test_restoring_one_record_brings_it_back_and_links_to_its_page(owner):
    ada = trashed(ContactFactory(account=owner.account, first_name="Ada", last_name="Byron"))
    response = client_for(owner).post(
        "/trash/restore/", {"records": key(ada), "next": "/trash/?type=contact"}
    )
    assert response.status_code == 302
    assert response.url == "/trash/?type=contact"
    assert Contact.objects.for_account(owner.account).filter(pk=ada.pk).exists()
    assert not TrashedRecord.objects.for_account(owner.account).exists()
    assert flash(response) == [f'Restored <a href="/contacts/{ada.pk}/">Ada Byron</a>.']


def test_restoring_several_restores_each_on_its_own_and_names_the_clash(owner, pipeline):
    ann = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee", email="a@x.io")
    trashed(ann)
    holder = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee2")
    Contact.objects.for_account(owner.account).filter(pk=holder.pk).update(email="a@x.io")
    deal = trashed(DealFactory(pipeline=pipeline, title="Renewal"))
    company = trashed(CompanyFactory(account=owner.account, name="Initech"))
    response = client_for(owner).post(
        "/trash/restore/", {"records": [key(deal), key(ann), key(company)]}
    )
    assert response.status_code == 302 and response.url == "/trash/"
    assert Deal.objects.for_account(owner.account).filter(pk=deal.pk).exists()
    assert not Contact.objects.for_account(owner.account).filter(pk=ann.pk).exists()
    assert list(
        TrashedRecord.objects.for_account(owner.account).values_list("record_id", flat=True)
    ) == [ann.pk]
    assert flash(response) == [
        f'Restored 2: <a href="/deals/{deal.pk}/">Renewal</a>, '
        f'<a href="/companies/{company.pk}/">Initech</a>; '
        f'1 could not be restored: Ann Lee (its email is used by <a href="/contacts/{holder.pk}/">'
        "Ann Lee2</a>)."
    ]


def test_a_restored_activity_or_note_links_to_the_record_it_is_about(owner):
    contact = ContactFactory(account=owner.account)
    note = trashed(NoteFactory(account=owner.account, contact=contact, body="<p>Said yes</p>"))
    task = trashed(ActivityFactory(account=owner.account, subject="Call back"))
    response = client_for(owner).post("/trash/restore/", {"records": [key(note), key(task)]})
    assert flash(response) == [
        f'Restored 2: <a href="/contacts/{contact.pk}/">Said yes</a>, '
        '<a href="/agenda/">Call back</a>.'
    ]


def test_restore_names_escape_html(owner):
    evil = trashed(ContactFactory(account=owner.account, first_name="<b>x</b>", last_name="y"))
    response = client_for(owner).post("/trash/restore/", {"records": key(evil)})
    assert "<b>" not in flash(response)[0] and "&lt;b&gt;x&lt;/b&gt;" in flash(response)[0]


def test_another_accounts_record_is_a_404_and_nothing_is_restored(owner, outsider):
    theirs = trashed(ContactFactory(account=outsider.account))
    for path in ("/trash/restore/", "/trash/undo/"):
        response = client_for(owner).post(path, {"records": key(theirs)})
        assert response.status_code == 404
    assert TrashedRecord.objects.for_account(outsider.account).count() == 1
    assert not Contact.objects.for_account(outsider.account).exists()


def test_a_mixed_selection_restores_only_the_accounts_own(owner, outsider):
    mine = trashed(ContactFactory(account=owner.account))
    theirs = trashed(ContactFactory(account=outsider.account))
    client_for(owner).post("/trash/restore/", {"records": [key(theirs), key(mine)]})
    assert Contact.objects.for_account(owner.account).filter(pk=mine.pk).exists()
    assert TrashedRecord.objects.for_account(outsider.account).count() == 1


@pytest.mark.parametrize(
    "records", [[], ["contact"], ["contact:x"], ["widget:1"], ["contact:99999999999999999999"]]
)
def test_bad_restore_input_is_a_message_never_a_500(owner, records):
    response = client_for(owner).post("/trash/restore/", {"records": records})
    assert response.status_code == 302 and response.url == "/trash/"
    assert flash(response)


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/trash/", "//evil.example/trash/", "/contacts/"]
)
def test_a_next_outside_the_trash_or_the_site_is_not_followed(owner, next_url):
    ada = trashed(ContactFactory(account=owner.account))
    response = client_for(owner).post("/trash/restore/", {"records": key(ada), "next": next_url})
    assert response.url == "/trash/"


def test_the_trash_page_restore_is_a_post(owner):
    assert client_for(owner).get("/trash/restore/").status_code == 405


def test_restore_all_restores_the_filters_records(owner):
    contacts = [trashed(ContactFactory(account=owner.account)) for _ in range(3)]
    company = trashed(CompanyFactory(account=owner.account))
    response = client_for(owner).post("/trash/restore-all/", {"type": "contact"})
    assert response.url == "/trash/?type=contact"
    assert Contact.objects.for_account(owner.account).count() == len(contacts)
    remaining = TrashedRecord.objects.for_account(owner.account)
    assert list(remaining.values_list("record_id", flat=True)) == [company.pk]


def test_restore_all_stops_at_its_limit_and_says_more_remain(owner, monkeypatch):
    monkeypatch.setattr("web.trash.views.RESTORE_ALL_LIMIT", 2)
    first = [trashed(ContactFactory(account=owner.account)) for _ in range(3)][0]
    response = client_for(owner).post("/trash/restore-all/")
    assert Contact.objects.for_account(owner.account).count() == 2
    remaining = TrashedRecord.objects.for_account(owner.account)
    assert list(remaining.values_list("record_id", flat=True)) == [first.pk]  # the oldest
    assert "restore all again" in flash(response)[0]


def test_restore_all_of_an_empty_trash_says_so(owner):
    response = client_for(owner).post("/trash/restore-all/", {"type": "bogus"})
    assert response.status_code == 302
    assert flash(response) == ["The trash is empty."]


# -- empty ----------------------------------------------------------------------------


def test_the_owner_empties_the_trash_after_confirming(owner):
    trashed(ContactFactory(account=owner.account))
    trashed(CompanyFactory(account=owner.account))
    client = client_for(owner)
    assert "Empty trash" in client.get("/trash/").content.decode()
    confirm = client.get("/trash/empty/")
    assert confirm.status_code == 200
    assert "2 records will be deleted for good" in confirm.content.decode()
    assert TrashedRecord.objects.for_account(owner.account).count() == 2  # GET only asks
    response = client.post("/trash/empty/")
    assert response.url == "/trash/"
    assert not TrashedRecord.objects.for_account(owner.account).exists()
    assert flash(response) == ["Emptied the trash: 2 records deleted for good."]


def test_emptying_one_type_keeps_the_others(owner, account):
    trashed(ContactFactory(account=owner.account))
    company = trashed(CompanyFactory(account=owner.account))
    admin = make_actor(account, Membership.Role.ADMIN, username="ada-admin")
    confirm = client_for(admin).get("/trash/empty/", {"type": "contact"})
    assert "1 contacts will be deleted for good" in confirm.content.decode()
    client_for(admin).post("/trash/empty/", {"type": "contact"})
    remaining = TrashedRecord.objects.for_account(owner.account)
    assert list(remaining.values_list("record_id", flat=True)) == [company.pk]


def test_a_member_has_no_empty_button_and_is_refused(owner, teammate):
    trashed(ContactFactory(account=owner.account))
    client = client_for(teammate)
    page = client.get("/trash/").content.decode()
    assert "Empty trash" not in page and "/trash/empty/" not in page
    assert client.get("/trash/empty/").status_code == 403
    assert client.post("/trash/empty/").status_code == 403
    assert TrashedRecord.objects.for_account(owner.account).count() == 1


def test_emptying_never_touches_another_accounts_trash(owner, outsider):
    trashed(ContactFactory(account=owner.account))
    client_for(outsider).post("/trash/empty/")
    assert TrashedRecord.objects.for_account(owner.account).count() == 1

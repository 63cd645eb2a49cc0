"""Every write to a contact, from every face, appends its event with the right actor,
source and changes; a write that changes nothing or rolls back appends nothing."""

import pytest
from django.db import transaction
from django.test import Client

from contacts.models import Contact, ContactImport, ContactTag
from contacts.services import contact_update
from events.models import Event, Source
from tests.factories import ContactFactory, ContactTagFactory, TagFactory
from tests.html_forms import form_data
from tests.queries import assert_same_count, capture_queries
from tests.test_admin import staff  # noqa: F401  (fixture)
from tests.test_contact_imports import make_import, run_write

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/contacts/"


def events(account, **filters):
    return list(Event.objects.for_account(account).filter(**filters).order_by("id"))


def signed_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def contact_form(html: str) -> dict:
    """What a browser posts from the contact form as it was shown."""
    return form_data(html, "contact-form")


# -- API ---------------------------------------------------------------------------


def test_an_api_create_appends_contact_created_with_its_representation(owner):
    response = owner.client.post(URL, {"first_name": "Ada", "tags": ["vip"]}, format="json")
    assert response.status_code == 201
    [event] = events(owner.account)
    assert (event.type, event.actor_id, event.source) == (
        "contact.created",
        owner.user.pk,
        Source.API,
    )
    assert event.record_id == response.json()["id"]
    assert event.data == response.json()


def test_an_api_patch_records_only_the_fields_it_changed(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", title="CTO")
    response = owner.client.patch(
        f"{URL}{contact.pk}/", {"title": "CEO", "first_name": "Ada"}, format="json"
    )
    assert response.status_code == 200
    [event] = events(owner.account)
    assert event.type == "contact.updated"
    assert event.changes == {"title": ["CTO", "CEO"]}
    assert event.data["title"] == "CEO" == response.json()["title"]


def test_tags_in_a_patch_are_recorded_as_sorted_names(owner):
    contact = ContactFactory(account=owner.account)
    ContactTagFactory(
        account=owner.account, contact=contact, tag=TagFactory(account=owner.account, name="lead")
    )
    owner.client.patch(f"{URL}{contact.pk}/", {"tags": ["vip", "Alpha"]}, format="json")
    [event] = events(owner.account)
    assert event.changes == {"tags": [["lead"], ["Alpha", "vip"]]}


def test_a_no_op_patch_appends_nothing_and_keeps_the_version(owner):
    contact = ContactFactory(account=owner.account, title="CTO")
    before = Contact.objects.for_account(owner.account).get(pk=contact.pk).updated_at
    response = owner.client.patch(f"{URL}{contact.pk}/", {"title": "CTO"}, format="json")
    assert response.status_code == 200
    assert events(owner.account) == []
    assert Contact.objects.for_account(owner.account).get(pk=contact.pk).updated_at == before


def test_an_api_delete_records_the_contact_as_it_was(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada")
    assert owner.client.delete(f"{URL}{contact.pk}/").status_code == 204
    [event] = events(owner.account)
    assert (event.type, event.record_id) == ("contact.deleted", contact.pk)
    assert event.data["first_name"] == "Ada"


def test_the_tag_routes_record_one_update_each_and_nothing_for_a_repeat(owner):
    contact = ContactFactory(account=owner.account)
    owner.client.post(f"{URL}{contact.pk}/tags/", {"name": "vip"}, format="json")
    owner.client.post(f"{URL}{contact.pk}/tags/", {"name": "VIP"}, format="json")
    tag_id = ContactTag.objects.for_account(owner.account).get().tag_id
    assert owner.client.delete(f"{URL}{contact.pk}/tags/{tag_id}/").status_code == 204
    assert [(e.type, e.changes, e.source) for e in events(owner.account)] == [
        ("contact.updated", {"tags": [[], ["vip"]]}, Source.API),
        ("contact.updated", {"tags": [["vip"], []]}, Source.API),
    ]


def test_an_update_of_one_field_keeps_a_newer_value_of_another(owner):
    """The service writes only the fields it changes, even from a stale copy."""
    contact = ContactFactory(account=owner.account, first_name="Ada", title="CTO")
    stale = Contact.objects.for_account(owner.account).get(pk=contact.pk)
    Contact.objects.for_account(owner.account).filter(pk=contact.pk).update(title="CEO")
    contact_update(contact=stale, by=owner.user, source=Source.API, data={"first_name": "Ida"})
    fresh = Contact.objects.for_account(owner.account).get(pk=contact.pk)
    assert (fresh.first_name, fresh.title) == ("Ida", "CEO")


def test_an_update_that_rolls_back_leaves_no_event(owner):
    contact = ContactFactory(account=owner.account, title="CTO")
    with pytest.raises(RuntimeError), transaction.atomic():
        contact_update(contact=contact, by=owner.user, source=Source.API, data={"title": "CEO"})
        raise RuntimeError("a later step of the same request failed")
    assert events(owner.account) == []
    assert Contact.objects.for_account(owner.account).get(pk=contact.pk).title == "CTO"


def test_the_api_bulk_import_records_creates_and_updates_in_one_batch(owner):
    existing = ContactFactory(account=owner.account, email="ada@example.com", title="CTO")
    response = owner.client.post(
        f"{URL}bulk-import/",
        {
            "on_duplicate": "update",
            "contacts": [
                {"first_name": "Ada", "email": "ada@example.com", "title": "CEO"},
                {"first_name": "Bo", "email": "bo@example.com", "tags": ["new"]},
            ],
        },
        format="json",
    )
    assert response.status_code == 201
    by_type = {e.type: e for e in events(owner.account)}
    assert set(by_type) == {"contact.created", "contact.updated"}
    assert by_type["contact.updated"].record_id == existing.pk
    assert by_type["contact.updated"].changes["title"] == ["CTO", "CEO"]
    assert by_type["contact.created"].data["tags"][0]["name"] == "new"
    assert {e.source for e in by_type.values()} == {Source.API}


def test_an_invalid_bulk_import_appends_nothing(owner):
    response = owner.client.post(
        f"{URL}bulk-import/",
        {"contacts": [{"first_name": "Ada"}, {"first_name": ""}]},
        format="json",
    )
    assert response.status_code == 400
    assert events(owner.account) == []


def test_the_bulk_import_costs_the_same_queries_for_2_or_20_rows(owner):
    def queries(n, start):
        ContactFactory(account=owner.account, email=f"x{start}@example.com")
        rows = [
            {"first_name": f"P{i}", "email": f"p{start + i}@example.com", "tags": [f"t{start}"]}
            for i in range(n)
        ]
        rows.append({"first_name": "Again", "email": f"x{start}@example.com"})
        with capture_queries() as captured:
            response = owner.client.post(
                f"{URL}bulk-import/", {"contacts": rows, "on_duplicate": "update"}, format="json"
            )
        assert response.status_code == 201
        return captured

    assert_same_count(queries(2, 0), queries(20, 100))
    assert Event.objects.for_account(owner.account).count() == 2 + 1 + 20 + 1


# -- the CSV import ----------------------------------------------------------------


def test_the_csv_import_records_its_contacts_with_source_import(owner):
    write = run_write(
        make_import(
            owner, "first name,email\nAda,ada@example.com\n", status=ContactImport.Status.READY
        )
    )
    assert write.status == ContactImport.Status.DONE
    [event] = events(owner.account)
    assert (event.type, event.source, event.actor_id) == (
        "contact.created",
        Source.IMPORT,
        owner.user.pk,
    )


# -- web app -----------------------------------------------------------------------


def test_the_web_form_records_a_create_and_an_edit_from_the_ui(owner):
    web = signed_in(owner)
    page = web.get("/contacts/new/")
    data = contact_form(page.content.decode()) | {"first_name": "Ada", "tags": "vip"}
    assert web.post("/contacts/new/", data).status_code == 302
    contact = Contact.objects.for_account(owner.account).get()
    page = web.get(f"/contacts/{contact.pk}/edit/")
    data = contact_form(page.content.decode()) | {"title": "CEO"}
    assert web.post(f"/contacts/{contact.pk}/edit/", data).status_code == 302
    created, updated = events(owner.account)
    assert (created.type, created.source, created.actor_id) == (
        "contact.created",
        Source.UI,
        owner.user.pk,
    )
    assert created.data["tags"][0]["name"] == "vip"
    assert (updated.type, updated.changes) == ("contact.updated", {"title": ["", "CEO"]})


def test_the_web_form_does_not_undo_a_change_made_since_it_was_opened(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", title="CTO")
    web = signed_in(owner)
    data = contact_form(web.get(f"/contacts/{contact.pk}/edit/").content.decode())
    owner.client.patch(f"{URL}{contact.pk}/", {"title": "CEO"}, format="json")
    # With the version it was opened on, the form is refused (the conflict page,
    # tests/test_web_edit_conflicts.py); without one (an old page, a script), only
    # the fields the user changed are written.
    assert (
        web.post(f"/contacts/{contact.pk}/edit/", data | {"first_name": "Ida"}).status_code == 409
    )
    del data["version"]
    assert (
        web.post(f"/contacts/{contact.pk}/edit/", data | {"first_name": "Ida"}).status_code == 302
    )
    fresh = Contact.objects.for_account(owner.account).get(pk=contact.pk)
    assert (fresh.first_name, fresh.title) == ("Ida", "CEO")
    assert [e.changes for e in events(owner.account)] == [
        {"title": ["CTO", "CEO"]},
        {"first_name": ["Ada", "Ida"]},
    ]


def test_the_web_tag_editing_and_delete_record_events(owner):
    contact = ContactFactory(account=owner.account)
    web = signed_in(owner)
    web.post(f"/contacts/{contact.pk}/tags/", {"name": "vip"})
    tag_id = ContactTag.objects.for_account(owner.account).get().tag_id
    web.post(f"/contacts/{contact.pk}/tags/", {"remove": tag_id})
    web.post(f"/contacts/{contact.pk}/delete/")
    assert [(e.type, e.changes, e.source) for e in events(owner.account)] == [
        ("contact.updated", {"tags": [[], ["vip"]]}, Source.UI),
        ("contact.updated", {"tags": [["vip"], []]}, Source.UI),
        ("contact.deleted", {}, Source.UI),
    ]


def test_bulk_actions_record_one_event_per_changed_contact(owner, teammate):
    tagged, plain = ContactFactory(account=owner.account), ContactFactory(account=owner.account)
    ContactTagFactory(
        account=owner.account, contact=tagged, tag=TagFactory(account=owner.account, name="vip")
    )
    web, ids = signed_in(owner), [tagged.pk, plain.pk]
    web.post("/contacts/bulk/", {"ids": ids, "action": "add_tag", "tag": "vip"})
    web.post("/contacts/bulk/", {"ids": ids, "action": "assign_owner", "owner": teammate.user.pk})
    web.post("/contacts/bulk/", {"ids": ids, "action": "delete"})
    recorded = [(e.type, e.record_id, e.changes) for e in events(owner.account)]
    assert recorded == [
        ("contact.updated", plain.pk, {"tags": [[], ["vip"]]}),
        ("contact.updated", tagged.pk, {"owner": [None, teammate.user.pk]}),
        ("contact.updated", plain.pk, {"owner": [None, teammate.user.pk]}),
        ("contact.deleted", tagged.pk, {}),
        ("contact.deleted", plain.pk, {}),
    ]
    assert {(e.source, e.actor_id) for e in events(owner.account)} == {(Source.UI, owner.user.pk)}
    deleted = events(owner.account, type="contact.deleted")[1]
    assert deleted.data["owner"] == teammate.user.pk
    assert [t["name"] for t in deleted.data["tags"]] == ["vip"]


def test_bulk_actions_append_their_events_in_the_same_queries_for_2_or_20(owner, teammate):
    def queries(n):
        ids = [ContactFactory(account=owner.account).pk for _ in range(n)]
        web, counts = signed_in(owner), []
        for data in (
            {"action": "add_tag", "tag": f"tag {n}"},
            {"action": "assign_owner", "owner": teammate.user.pk},
            {"action": "delete"},
        ):
            with capture_queries() as captured:
                assert web.post("/contacts/bulk/", {"ids": ids, **data}).status_code == 302
            counts.append(captured)
        return counts

    for small, large in zip(queries(2), queries(20), strict=True):
        assert_same_count(small, large)
    assert Event.objects.for_account(owner.account).count() == 3 * (2 + 20)


# -- admin ---------------------------------------------------------------------------


def test_an_admin_save_of_fields_and_tags_is_one_event_from_the_admin(staff, account):  # noqa: F811
    contact = ContactFactory(account=account, first_name="Ada", title="CTO")
    tag = TagFactory(account=account, name="vip")
    page = staff.get(f"/admin/contacts/contact/{contact.pk}/change/")
    data = form_data(page.content.decode(), "contact_form")
    data |= {"title": "CEO", "tag_links-TOTAL_FORMS": "1", "tag_links-0-tag": str(tag.pk)}
    response = staff.post(f"/admin/contacts/contact/{contact.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = events(account)
    assert (event.type, event.source) == ("contact.updated", Source.ADMIN)
    assert event.actor_id == page.wsgi_request.user.pk
    assert event.changes == {"title": ["CTO", "CEO"], "tags": [[], ["vip"]]}


def test_admin_add_and_delete_record_events(staff, account):  # noqa: F811
    response = staff.post(
        "/admin/contacts/contact/add/",
        {
            "account": account.pk,
            "first_name": "Ada",
            "last_name": "",
            "email": "",
            "phone": "",
            "title": "",
            "owner": "",
            "custom_fields": "{}",
            "tag_links-TOTAL_FORMS": "0",
            "tag_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.for_account(account).get()
    staff.post(f"/admin/contacts/contact/{contact.pk}/delete/", {"post": "yes"})
    others = [ContactFactory(account=account) for _ in range(2)]
    staff.post(
        "/admin/contacts/contact/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in others], "post": "yes"},
    )
    assert not Contact.objects.for_account(account).exists()
    assert [(e.type, e.source) for e in events(account)] == [
        ("contact.created", Source.ADMIN),
        ("contact.deleted", Source.ADMIN),
        ("contact.deleted", Source.ADMIN),
        ("contact.deleted", Source.ADMIN),
    ]

def test_contact_create_and_list(owner):
    response = owner.client.post(
        "/api/v1/crm/contacts/",
        {
            "first_name": " Alice ",
            "last_name": "Smith",
            "email": "Alice@Example.com",
            "phone": "(415) 555-2671",
            "tags": ["vip", "lead"],
            "custom_fields": {"a": 1},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["first_name"] == "Alice"
    assert body["email"] == "alice@example.com"
    assert body["phone"] == "+14155552671"
    assert sorted(t["name"] for t in body["tags"]) == ["lead", "vip"]
    listing = owner.client.get("/api/v1/crm/contacts/?search=ali smi").json()
    assert listing["count"] == 1

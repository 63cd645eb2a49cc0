"""The browser side of the UI tests: a Django test client signed in as an actor."""

from django.test import Client


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client

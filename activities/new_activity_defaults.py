"""What a new activity starts with when whoever creates it leaves a field out.

The creator's default reminder is one of their notification preferences, and the
notifications app sits above this one (it imports activities): it registers its
provider here at start-up (notifications/apps.py), as it registers its events hook,
so this app imports nothing above it. Every face that creates activities for a user
asks `new_activity_defaults`: the API's create (activities/api/views.py), the web
app's "New activity" form and the follow-up of "Log a call" (web/activities/pages.py).
A field the client sends, even as null, is the client's choice and wins.
"""

from collections.abc import Callable

DefaultsProvider = Callable[..., dict]
_providers: list[DefaultsProvider] = []


def provide_new_activity_defaults(provider: DefaultsProvider) -> DefaultsProvider:
    """Register `provider(*, user) -> {field: value}` (once per function)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def new_activity_defaults(*, user) -> dict:
    """The values (model field names) a new activity created by `user` starts with,
    for the fields the creator leaves out. Each provider may cost a query."""
    defaults: dict = {}
    for provider in _providers:
        defaults.update(provider(user=user))
    return defaults

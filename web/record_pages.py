"""What every record page (a contact's, a company's, a deal's) shares beyond the
account's scope."""

from django.http import HttpResponseNotAllowed


class RecordPageMixin:
    """A record's read-only page: a POST is 405 for the account's record, and a 404
    (not a 405) for another account's, so a method never tells that a record exists."""

    def post(self, request, *args, **kwargs):
        self.get_object()
        return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])

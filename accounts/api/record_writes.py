"""ETags, `If-Match` and `Idempotency-Key` for every record route (the API contract,
"Concurrency, retries and limits"), once, in the API's base views.

A write sent with `If-Match` or `Idempotency-Key` runs its handler inside one
transaction: `get_object()` locks the record's row first (`SELECT ... FOR UPDATE`; on
SQLite the IMMEDIATE transaction already holds the database's write lock), then
compares its ETag, so no other write can land between the comparison and this one.
The services the handlers call open their own `atomic()` blocks, which nest in it.
An answer of 400 or more rolls the whole handler back: nothing half-written.
"""

import contextlib
import re

from django.db import DatabaseError, models, transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS

from accounts.api.errors import IdempotencyKeyReused, PreconditionFailed
from accounts.idempotency import (
    REPLAYED_HEADERS,
    InvalidKey,
    KeyReused,
    idempotency_key_claim,
    idempotency_key_complete,
    idempotency_key_release,
    request_fingerprint,
)
from accounts.versions import etag_of

# RFC 9110 entity-tags: optionally weak (W/), quoted, no quote inside.
ENTITY_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


def if_match_accepts(header: str, etag: str) -> bool:
    """Whether an `If-Match` value lets a write to the record with `etag` go ahead:
    `*`, or a list holding `etag` (strong comparison: weak tags never match)."""
    if header.strip() == "*":
        return True
    return any(weak is None and tag == etag for weak, tag in _entity_tags(header))


def _entity_tags(header: str):
    position = 0
    while position < len(header):
        found = ENTITY_TAG.match(header, position)
        if found is None or found.end() == position:
            return  # not a list of entity-tags: matches nothing
        yield found.group(1), found.group(2)
        position = found.end()


class StoredAnswer(Exception):
    """Raised to skip a handler whose request was already answered: replay that."""

    def __init__(self, claim):
        super().__init__("replay")
        self.claim = claim

    def response(self) -> HttpResponse:
        response = HttpResponse(bytes(self.claim.content), status=self.claim.status)
        for name, value in self.claim.headers.items():
            response[name] = value
        return response


class RecordWritesMixin:
    """ETag on every answer with one record, `If-Match` preconditions on writes,
    `Idempotency-Key` replays of POSTs.

    Views lock the record's row with `lock_record(queryset)` in `get_object()` and
    then pass the record to `check_precondition()`; both do nothing without `If-Match`.
    """

    _write = None  # the open transaction.atomic() around this request's handler
    _claim = None  # the IdempotencyKey this request holds
    _if_match = None  # the If-Match header, until a record has been checked against it
    _represented = None  # the serializer whose record the answer represents

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        if request.method in SAFE_METHODS:
            return
        self._if_match = request.headers.get("If-Match")
        if request.method == "POST" and "Idempotency-Key" in request.headers:
            self._claim = self._claim_key(request)
            if self._claim.completed:
                raise StoredAnswer(self._claim)
        if self._if_match is not None or self._claim is not None:
            self._write = transaction.atomic()
            self._write.__enter__()

    def _claim_key(self, request):
        try:
            body = request._request.body  # read before the parsers (they keep a copy)
        except RawPostDataException:  # a form already parsed (the CSRF check read it)
            body = repr(sorted(request._request.POST.lists())).encode()
        fingerprint = request_fingerprint(request.method, request.get_full_path(), body)
        try:
            return idempotency_key_claim(account=request.account,
                                         key=request.headers["Idempotency-Key"],
                                         fingerprint=fingerprint)
        except InvalidKey as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        except KeyReused as exc:
            raise IdempotencyKeyReused(str(exc)) from exc

    @property
    def has_precondition(self) -> bool:
        """Whether this write came with an `If-Match` not yet checked."""
        return self._if_match is not None

    def lock_record(self, queryset) -> None:
        """With `If-Match`, lock the rows of `queryset` (the record) until the handler's
        transaction ends. One query; none without `If-Match`."""
        if self.has_precondition:
            list(queryset.select_for_update().values_list("pk"))

    def check_precondition(self, record) -> None:
        """Raise 412 unless `If-Match` (if any) names the record's current ETag.
        Checked once per request: the handler may read the record again after its
        write, which has a new ETag by then."""
        if self._if_match is None:
            return
        header, self._if_match = self._if_match, None
        if not if_match_accepts(header, etag_of(record)):
            raise PreconditionFailed()

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if not kwargs.get("many"):
            self._represented = serializer
        return serializer

    def handle_exception(self, exc):
        # A lost connection cannot roll back; the database did it when it dropped us.
        with contextlib.suppress(DatabaseError):
            self._end_write(exc)
        if isinstance(exc, StoredAnswer):
            return exc.response()
        try:
            return super().handle_exception(exc)
        except BaseException:
            self._release_claim()
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        self._set_etag(response)
        claim = self._claim
        answered = claim is not None and not claim.completed
        if answered and response.status_code < 400 and self._write is not None:
            self._store_answer(response)  # commits with the writes it reports
        self._end_write(None, failed=response.status_code >= 400)
        if answered and not claim.completed:
            if response.status_code >= 500:
                self._release_claim()
            else:
                self._store_answer(response)  # a 4xx: its writes were rolled back
        return response

    def _set_etag(self, response) -> None:
        record = getattr(self._represented, "instance", None)
        data = getattr(response, "data", None)
        if (
            200 <= response.status_code < 300
            and isinstance(record, models.Model)
            and isinstance(data, dict)
            and data.get("id") == record.pk
            and getattr(record, "updated_at", None) is not None
        ):
            response["ETag"] = etag_of(record)

    def _store_answer(self, response) -> None:
        if hasattr(response, "render"):
            response.render()
        headers = {name: response[name] for name in REPLAYED_HEADERS if name in response}
        idempotency_key_complete(claim=self._claim, status=response.status_code,
                                 content=response.content, headers=headers)

    def _release_claim(self) -> None:
        if self._claim is None or self._claim.completed:
            return
        # With the database gone the claim stays until IN_FLIGHT_TIMEOUT frees the key.
        with contextlib.suppress(DatabaseError):
            idempotency_key_release(claim=self._claim)

    def _end_write(self, exc, failed: bool = True) -> None:
        write, self._write = self._write, None
        if write is None:
            return
        if exc is not None:
            write.__exit__(type(exc), exc, exc.__traceback__)
            return
        if failed:
            transaction.set_rollback(True)
        write.__exit__(None, None, None)

"""ETags, `If-Match` and `Idempotency-Key` for every record route (the API contract,
"Concurrency, retries and limits"), once, in the API's base views.

A write sent with `If-Match` or `Idempotency-Key` runs inside one transaction:
- `get_object()` locks the record's row first (`SELECT ... FOR UPDATE`; on SQLite the
  IMMEDIATE transaction already holds the database's write lock), then compares its
  ETag, so no other write can land between the comparison and this one;
- the key is claimed in it (accounts/idempotency.py), the handler runs in a savepoint
  inside it, and the answer is stored in it: an answer of 400 or more rolls the
  handler's writes back (nothing half-written) but keeps the stored answer, a 5xx or a
  crash rolls everything back, the claim included, so a retry runs again.
The services the handlers call open their own `atomic()` blocks, which nest in it.
"""

import contextlib
import re

from django.db import DatabaseError, models, transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS

from accounts.idempotency import (
    REPLAYED_HEADERS,
    InvalidKey,
    KeyReused,
    idempotency_key_claim,
    idempotency_key_complete,
    request_fingerprint,
)
from lib.api.errors import IdempotencyKeyReused, PreconditionFailed
from lib.versions import etag_of

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

    _request_write = None  # transaction.atomic() around the whole request: claim, answer
    _handler_write = None  # the savepoint around the handler alone
    _claim = None  # the IdempotencyKey this request holds
    _if_match = None  # the If-Match header, until a record has been checked against it
    _represented = None  # the serializer whose record the answer represents

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        if request.method in SAFE_METHODS:
            return
        self._if_match = request.headers.get("If-Match")
        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        if key is None and self._if_match is None:
            return
        self._request_write = _entered(transaction.atomic())
        if key is not None:
            claim = self._claim_key(request, key)
            if claim.completed:
                raise StoredAnswer(claim)
            self._claim = claim
            self._handler_write = _entered(transaction.atomic())

    def _claim_key(self, request, key):
        try:
            body = request._request.body  # read before the parsers (they keep a copy)
        except RawPostDataException:  # a form already parsed (the CSRF check read it)
            body = repr(sorted(request._request.POST.lists())).encode()
        fingerprint = request_fingerprint(request.method, request.get_full_path(), body)
        try:
            return idempotency_key_claim(account=request.account, key=key, fingerprint=fingerprint)
        except InvalidKey as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        except KeyReused as exc:
            raise IdempotencyKeyReused(str(exc)) from exc

    @property
    def has_precondition(self) -> bool:
        """Whether this write came with an `If-Match` not yet checked."""
        return self._if_match is not None

    def lock_record(self, queryset) -> None:
        """With `If-Match`, lock the rows of `queryset` (the record) until the request's
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
        self._handler_write = _exited(self._handler_write, exc)
        if isinstance(exc, StoredAnswer):
            return exc.response()
        try:
            return super().handle_exception(exc)
        except BaseException as unhandled:  # a 500: nothing of this request stays
            self._request_write = _exited(self._request_write, unhandled)
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            response = super().finalize_response(request, response, *args, **kwargs)
            self._set_etag(response)
            failed = response.status_code >= 400
            handler_write, self._handler_write = self._handler_write, None
            _closed(handler_write, rollback=failed)
            if self._request_write is None:
                return response
            if self._claim is not None and response.status_code < 500:
                self._store_answer(response)
                failed = False  # the handler's writes are gone already; keep the answer
            request_write, self._request_write = self._request_write, None
            _closed(request_write, rollback=failed)
            return response
        except BaseException as exc:
            # A connection lost while the answer is stored or committed: no transaction
            # of this request may outlive it. Left open, it would stay open on this
            # thread's connection, and every later request the thread serves would fail.
            self._handler_write = _exited(self._handler_write, exc)
            self._request_write = _exited(self._request_write, exc)
            raise

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
        idempotency_key_complete(
            claim=self._claim,
            status=response.status_code,
            content=response.content,
            headers=headers,
        )


def _entered(atomic):
    atomic.__enter__()
    return atomic


def _exited(atomic, exc):
    """Leave `atomic` because of `exc` (it rolls back). A lost connection cannot roll
    back; the database did it when the connection dropped."""
    if atomic is not None:
        with contextlib.suppress(DatabaseError):
            atomic.__exit__(type(exc), exc, exc.__traceback__)
    return None


def _closed(atomic, *, rollback: bool):
    """Leave `atomic` normally: commit, unless `rollback`. A failed COMMIT raises (the
    answer must not claim writes that did not land)."""
    if atomic is None:
        return None
    if rollback:
        transaction.set_rollback(True)
        with contextlib.suppress(DatabaseError):
            atomic.__exit__(None, None, None)
        return None
    atomic.__exit__(None, None, None)
    return None

"""One error shape for the whole API, and JSON answers where Django would send HTML."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lib.errors import StateConflict, UniqueConflict


class PreconditionFailed(APIException):
    """`If-Match` names a version the record no longer has (or no version at all)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record has changed since you read it (If-Match does not match "
        "its ETag); read it again and retry."
    )
    default_code = "precondition_failed"


class IdempotencyKeyReused(APIException):
    """An `Idempotency-Key` repeated with another method, path or body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was sent with another request."
    default_code = "idempotency_key_reused"


def exception_handler(exc, context):
    """DRF's handler, with errors not tied to a field as `{"detail": "..."}`."""
    if isinstance(exc, OperationalError | InterfaceError):
        return database_unavailable()
    if isinstance(exc, StateConflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UniqueConflict):
        # A race lost on a unique name: the answer validation gives the second request
        # that arrives after the first has committed.
        return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        # The database's constraints are the last word when two writes race past
        # validation: answer as validation would have, never with a 500.
        return Response(
            {"detail": "This conflicts with an existing record (a duplicate?)."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        # A rule the record services enforce for every face (custom field values):
        # a 400 by field, as the serializer's own validation answers.
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, list):
        response.data = {"detail": " ".join(str(item) for item in data)}
    elif isinstance(data, dict) and set(data) == {"non_field_errors"}:
        response.data = {"detail": " ".join(str(item) for item in data["non_field_errors"])}
    return response


RETRY_AFTER_SECONDS = 5


def database_unavailable():
    """503 while the database cannot be reached; the pool reconnects by itself."""
    response = Response(
        {"detail": "The database is unavailable right now; try again in a few seconds."},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def json_error(detail: str, status_code: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status_code)


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def handler404(request, exception=None):
    if is_api_path(request.path):
        return json_error("Not found.", status.HTTP_404_NOT_FOUND)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if is_api_path(request.path):
        return json_error("Server error.", status.HTTP_500_INTERNAL_SERVER_ERROR)
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request, exception=None):
    if is_api_path(request.path):
        return json_error("Bad request.", status.HTTP_400_BAD_REQUEST)
    from django.views.defaults import bad_request

    return bad_request(request, exception)

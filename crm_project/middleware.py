"""Guards that answer malformed requests with a clear 4xx before any view runs."""

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

from lib.api.errors import RETRY_AFTER_SECONDS, is_api_path, json_error


class RejectOversizedBodyMiddleware:
    """413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (MAX_UPLOAD_BYTES for a file
    upload to the UI), judged by Content-Length.

    DRF's parsers read the stream directly, so Django's own limit (which guards
    `request.body`) would not stop a 10 MB JSON body from being parsed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        is_upload = request.content_type == "multipart/form-data"
        if is_upload and not is_api_path(request.path):
            limit = settings.MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error("Content-Length must be a number.", 400)
        if limit is not None and length > limit:
            message = f"Request body too large (at most {limit:,} bytes)."
            if is_api_path(request.path):
                return json_error(message, 413)
            return HttpResponse(message, status=413, content_type="text/plain")
        return self.get_response(request)


class RejectNulInQueryMiddleware:
    """400 for a NUL character in the query string, which no database column accepts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for values in request.GET.lists():
            if any("\x00" in item for item in values[1]) or "\x00" in values[0]:
                return json_error("Query parameters must not contain NUL characters.", 400)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """503 (JSON for the API) instead of a 500 traceback while the database is down.

    DRF views answer 503 through the API's exception handler; this covers the rest
    (the UI, the admin, anything outside a DRF view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        message = "The database is unavailable right now; try again in a few seconds."
        if is_api_path(request.path):
            response = json_error(message, 503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

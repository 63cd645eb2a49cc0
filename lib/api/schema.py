"""OpenAPI additions: the error responses every operation can give, and the headers of
"Concurrency, retries and limits" (ETag, If-Match, Idempotency-Key, RateLimit-*)."""

import copy

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` for errors not tied to a field; otherwise field name → messages.",
    "additionalProperties": True,
    "properties": {"detail": {"type": "string"}},
}

_ERRORS = {
    "400": "Invalid input: field name → list of messages, or `detail`.",
    "401": "Missing or invalid credentials.",
    "403": "Authenticated, but not allowed.",
    "404": "Not found, or another account's record.",
    "409": "The record's current state forbids this, or the first request with this "
    "Idempotency-Key is still running.",
    "413": "Request body too large.",
    "429": "Throttled.",
}


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


# The components that are one record's representation: their answers carry an ETag.
RECORD_COMPONENTS = {"Account", "Activity", "Company", "Contact", "Deal", "Note", "Pipeline", "Tag"}
INTEGER = {"type": "integer", "minimum": 0}
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {
        "description": "Requests allowed per window (per token).",
        "schema": INTEGER,
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": INTEGER,
    },
    "RateLimit-Reset": {
        "description": "Seconds until the oldest counted request leaves "
        "the window (one more request is allowed).",
        "schema": INTEGER,
    },
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": INTEGER}
}
ETAG = {
    "ETag": {
        "description": "The record's version; send it back in `If-Match`.",
        "schema": {"type": "string"},
    }
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "description": "Apply only if the record still has this ETag (or `*`, or a list of "
    "ETags); else 412 and nothing changes.",
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "1-255 visible ASCII characters. Repeated within 24 hours with the same "
    "method, path and body, the first answer is answered again and nothing "
    "more is written; with another body, 422; while the first request "
    "runs, 409. Keys are per account.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[\\x21-\\x7e]{1,255}$",
    },
}


def add_write_headers(path: str, method: str, operation: dict) -> None:
    """ETag on the answers with one record; If-Match on writes to one record;
    Idempotency-Key on POSTs; RateLimit-* on every answer to an authenticated call."""
    if path.endswith("/auth/token/"):
        return
    responses = operation["responses"]
    one_record = path.endswith("/account/") or "{id}" in path
    parameters = operation.setdefault("parameters", [])
    if one_record and method in {"put", "patch", "delete", "post"}:
        parameters.append(copy.deepcopy(IF_MATCH))
        responses.setdefault(
            "412", _error("If-Match does not name the record's current ETag; nothing changed.")
        )
    if method == "post":
        parameters.append(copy.deepcopy(IDEMPOTENCY_KEY))
        responses.setdefault(
            "422",
            _error("This Idempotency-Key was sent with another request (method, path or body)."),
        )
    for code, response in responses.items():
        headers = response.setdefault("headers", {})
        headers.update(copy.deepcopy(RATE_LIMIT_HEADERS))
        if code == "429":
            headers.update(copy.deepcopy(RETRY_AFTER))
        content = response.get("content", {}).get("application/json", {})
        component = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
        if code.startswith("2") and component in RECORD_COMPONENTS:
            headers.update(copy.deepcopy(ETAG))


def add_error_responses(result, generator, request, public):
    """Document the contract's error answers and write headers on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, description in _ERRORS.items():
                if code == "409" and method == "get":
                    continue
                if code == "400" and method == "delete":
                    continue
                if code == "401" and path.endswith("/auth/token/"):
                    continue
                responses.setdefault(code, _error(description))
            add_write_headers(path, method, operation)
    return result

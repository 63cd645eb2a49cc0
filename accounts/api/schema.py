"""OpenAPI additions: the error responses every operation can give."""

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
    "409": "The record's current state forbids this.",
    "413": "Request body too large.",
    "429": "Throttled.",
}


def add_error_responses(result, generator, request, public):
    """Document the contract's error answers on every operation."""
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
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result

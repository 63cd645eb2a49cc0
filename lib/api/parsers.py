from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, refusing text no database could store.

    JSON may escape lone UTF-16 surrogates (`"\\ud800"`); Python accepts them but
    they cannot be encoded as UTF-8, so they would fail deep inside a write.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            lone_surrogate = _has_lone_surrogate(data)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if lone_surrogate:
            raise ParseError(
                "JSON parse error - text contains an invalid (lone surrogate) Unicode escape."
            )
        return data

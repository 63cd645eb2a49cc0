"""Reading a record id (or a page number) from text a client sent.

One parser for the whole project, so every face agrees on what an id is: ASCII
digits only (`str.isdigit` also accepts "²", "①" and "٣", which `int()` refuses or
reads as another number), at least 1 and below 2**63 (a PostgreSQL bigint), and never
`int()` on a long string (Python refuses more than 4,300 digits with a ValueError).
"""

MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))  # 19


def is_id_shaped(value) -> bool:
    """Whether `value` is written as an id at all: an int (not a bool), or text of
    ASCII digits once trimmed, whatever its range. Lets a caller tell "that is not an
    id" (a type error) from "no such record" (0, or beyond any id)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and text.isascii() and text.isdigit()


def parse_id(value) -> int | None:
    """`value` (text, or an int) as a record id, or None when it cannot be one.

    Surrounding whitespace is ignored; signs, decimal points, non-ASCII digits,
    booleans, 0 and anything of 2**63 or more are not ids.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_page_number(value, *, last: int) -> int:
    """A requested page number, clamped to 1..`last`; 1 when `value` is not a number."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(last)):
        return last
    return min(max(int(text), 1), last)

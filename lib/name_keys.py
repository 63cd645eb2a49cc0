"""Names folded for comparison: what "the same name" means when finding duplicates.

"José  Núñez" and "jose nunez" are one name: case-folded, accents dropped (Unicode
NFKD, then the combining marks removed), runs of whitespace collapsed to one space.
The folded text is stored beside the name (an indexed `name_key` column), so finding
the rows with a given name is an index lookup, never a scan.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str | None) -> str:
    """`text` without case, accents or extra whitespace ("" for None)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def fold_words(text: str | None) -> list[str]:
    """The words of `fold(text)`, punctuation dropped: "A.C.M.E., Inc." → ["acme", "inc"].

    Dots and apostrophes join ("O'Brien" → "obrien", "S.A." → "sa"); every other
    character that is not a letter or digit separates words, and "&" reads as "and"."""
    folded = fold(text).replace("&", " and ").replace(".", "").replace("'", "")
    folded = folded.replace("\u2019", "")  # typographic apostrophe
    return [word for word in _NOT_WORD.split(folded.replace("_", " ")) if word]

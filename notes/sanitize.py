"""What HTML a note body may keep (everything else is removed on save)."""

import html as html_lib
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_body(html: str) -> str:
    """Basic formatting kept; scripts, styles, event handlers, `javascript:` links and
    every other tag removed (their text stays, except inside script and style)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_BLOCK_END = re.compile(r"</(?:p|li|blockquote|pre|ul|ol)>|<br\s*/?>", re.IGNORECASE)


def plain_text(html: str, limit: int = 120) -> str:
    """The body's text, for titles and previews (paragraphs kept apart by a space)."""
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + " ", html)
    text = html_lib.unescape(" ".join(nh3.clean(spaced, tags=set()).split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

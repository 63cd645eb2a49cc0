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
    return _clean(html)


def _clean(html: str, **options) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        **options,
    )


_BLOCK_END = re.compile(r"</(?:p|li|blockquote|pre|ul|ol)>|<br\s*/?>", re.IGNORECASE)


def plain_text(html: str, limit: int = 120) -> str:
    """The body's text, for titles and previews (paragraphs kept apart by a space)."""
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + " ", html)
    text = html_lib.unescape(" ".join(nh3.clean(spaced, tags=set()).split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Email HTML is a whole document laid out with blocks and tables: what a note keeps of
# it is its text, with a line break where a block or a table row ended.
_EMAIL_BLOCK_END = re.compile(
    r"</(?:div|tr|table|h[1-6]|section|article|header|footer|address|dd|dt|hr)\s*>|<hr\b[^>]*>",
    re.IGNORECASE,
)
_EMAIL_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_EMAIL_DROPPED_WITH_TEXT = {"head", "title", "script", "style", "template", "noscript"}
_BREAKS = re.compile(r"(?:<br>\s*){3,}")
_EDGE_BREAKS = re.compile(r"^(?:\s*<br>)+|(?:<br>\s*)+$")


def sanitize_email_html(html: str) -> str:
    """An email's HTML as a note body: `sanitize_body`'s rules, and the document's
    head (title, styles), scripts and styles dropped with their text."""
    spaced = _EMAIL_CELL_END.sub(lambda m: m.group(0) + " ", html)
    spaced = _EMAIL_BLOCK_END.sub(lambda m: m.group(0) + "<br>", spaced)
    cleaned = _clean(spaced, clean_content_tags=_EMAIL_DROPPED_WITH_TEXT)
    return _EDGE_BREAKS.sub("", _BREAKS.sub("<br><br>", cleaned).strip())

"""WCAG 2.2 AA contrast of the UI's colour tokens (web/static/web/app.css), computed with
the WCAG formula for the light scheme and the dark one (`prefers-color-scheme: dark`):
text 4.5:1 on every background it is drawn on, the focus ring and form-field borders
3:1 (non-text contrast). The other stylesheets use the tokens only, so a colour that
bypasses them (and dark mode with them) fails here too."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "web" / "static" / "web"
# Styles for pages we do not design (Swagger UI, DRF's browsable API, Pygments).
THIRD_PARTY = {"api-docs.css", "api-browsable.css"}

TEXT = 4.5
NON_TEXT = 3.0
SURFACES = ("bg", "surface", "surface-2", "row-hover")
PAIRS = [
    *((text, surface, TEXT) for text in ("text", "text-2", "text-3") for surface in SURFACES),
    *(("brand", surface, TEXT) for surface in SURFACES),  # links
    *(("text-3", tint, TEXT) for tint in ("brand-50", "blue-50", "green-50")),
    ("brand-600", "brand-50", TEXT),  # tags, selected options
    ("brand-600", "brand-100", TEXT),  # stage bar: stages passed
    ("on-brand", "brand", TEXT),  # primary buttons
    ("on-brand", "brand-600", TEXT),
    ("surface", "green", TEXT),  # a completed activity's check
    *((f"{hue}", f"{hue}-50", TEXT) for hue in ("green", "red", "amber", "blue", "cyan", "violet")),
    *((hue, "surface", TEXT) for hue in ("green", "red", "amber")),
    ("text", "highlight", TEXT),  # search hits
    ("text", "red-50", TEXT),  # the failed-request message
    ("chrome-text", "chrome-bg", TEXT),
    ("chrome-text-2", "chrome-bg", TEXT),
    ("chrome-text-3", "chrome-bg", TEXT),
    *(("focus-ring", surface, NON_TEXT) for surface in (*SURFACES, "brand-50")),
    ("chrome-focus-ring", "chrome-bg", NON_TEXT),
    *(("field-border", surface, NON_TEXT) for surface in ("surface", "surface-2")),
]


def block_after(css: str, opening: str) -> str:
    """The declarations of the first `{ ... }` block after `opening` (no nesting)."""
    start = css.index("{", css.index(opening)) + 1
    return css[start : css.index("}", start)]


def declarations(block: str) -> dict[str, str]:
    return {name: value.strip() for name, value in re.findall(r"--([\w-]+)\s*:\s*([^;]+);", block)}


def schemes() -> dict[str, dict[str, str]]:
    css = (STATIC / "app.css").read_text()
    light = declarations(block_after(css, ":root"))
    dark_block = css[css.index("@media (prefers-color-scheme: dark)") :]
    return {"light": light, "dark": {**light, **declarations(block_after(dark_block, ":root"))}}


def hex_colour(tokens: dict[str, str], name: str) -> str:
    value = tokens[name]
    while value.startswith("var("):
        value = tokens[value[4:-1].strip().removeprefix("--")]
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), f"--{name} is not #rrggbb: {value}"
    return value


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB #rrggbb colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_formula_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#7a8099", "#ffffff") == pytest.approx(3.91, abs=0.01)  # the old grey


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("fore", "back", "minimum"), PAIRS, ids=lambda p: str(p))
def test_colour_pairs_meet_wcag_aa(scheme, fore, back, minimum):
    tokens = schemes()[scheme]
    ratio = contrast(hex_colour(tokens, fore), hex_colour(tokens, back))
    assert ratio >= minimum, f"{scheme}: --{fore} on --{back} is {ratio:.2f}:1 < {minimum}:1"


def test_every_colour_token_has_a_dark_value():
    light = schemes()["light"]
    css = (STATIC / "app.css").read_text()
    dark = declarations(block_after(css[css.index("prefers-color-scheme: dark") :], ":root"))
    colours = {name for name, value in light.items() if value.startswith("#")}
    assert colours - set(dark) == set()
    assert "color-scheme: light dark" in block_after(css, ":root")


@pytest.mark.parametrize(
    "stylesheet",
    sorted(p.name for p in STATIC.glob("*.css") if p.name not in THIRD_PARTY),
)
def test_stylesheets_take_colours_from_the_tokens(stylesheet):
    css = (STATIC / stylesheet).read_text()
    if stylesheet == "app.css":  # the tokens themselves are defined there
        css = re.sub(r"--[\w-]+\s*:[^;]+;", "", css)
    literals = re.findall(r"#[0-9a-fA-F]{3,8}\b", css)
    assert literals == [], f"{stylesheet}: colour literals {literals}; add a token to app.css"

"""Browser tests assert with Playwright's `expect`, which retries until the page settles.

A bare `assert locator.is_visible()` reads the page once, at whatever instant the click
left it; it flaked in CI (a sign-in error not yet rendered). This walks the browser tests
and fails on the one-shot reads that have a waiting twin.
"""

import re
from pathlib import Path

ONE_SHOT = re.compile(
    r"^\s*assert\b.*\.(is_visible|is_hidden|inner_text|text_content|input_value|is_checked)\(\)"
)


def test_browser_tests_wait_for_the_page_rather_than_read_it_once():
    found = []
    for path in sorted(Path(__file__).parent.joinpath("browser").glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ONE_SHOT.search(line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == [], "use expect(locator).to_...() instead:\n" + "\n".join(found)

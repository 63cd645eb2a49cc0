"""The web app is organised by area (web/<area>/): no area imports another area's views.

What several areas share lives in a module named for it (web/record_pages.py,
web/deal_display.py, ...); an area's views stay its own, so a page can be read and
changed in one folder. The walk reads the source (no import), so it also catches an
import inside a function.
"""

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"


def areas() -> set[str]:
    return {path.parent.name for path in WEB.glob("*/urls.py")}


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def crossings(root: Path = WEB) -> list[str]:
    """`file: module` for each import of another area's views under `root`."""
    known = areas()
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        own = parts[0] if len(parts) > 1 and parts[0] in known else None
        for module in imported_modules(path):
            web, area, layer = ([*module.split("."), "", ""])[:3]
            if web == "web" and layer == "views" and area in known and area != own:
                found.append(f"{path.relative_to(root)}: {module}")
    return found


def test_the_web_app_has_its_areas():
    assert {"contacts", "companies", "deals", "activities", "notes", "imports", "search"} <= (
        areas()
    )
    assert {"dashboard", "timeline", "profile", "auth"} <= areas()
    for layer in ("routes", "views", "forms"):
        assert not (WEB / layer).exists(), f"web/{layer}/ is split by area now"


def test_no_area_imports_another_areas_views():
    assert crossings() == []


def test_the_walk_catches_an_area_importing_another_areas_views(tmp_path, monkeypatch):
    for area in ("contacts", "companies"):
        (tmp_path / area).mkdir()
        (tmp_path / area / "urls.py").write_text("")
    (tmp_path / "companies" / "views.py").write_text(
        "def page():\n    from web.contacts.views import ContactMixin\n"
    )
    (tmp_path / "companies" / "forms.py").write_text("import web.contacts.views\n")
    monkeypatch.setattr("tests.test_web_areas.WEB", tmp_path)
    assert crossings(tmp_path) == [
        "companies/forms.py: web.contacts.views",
        "companies/views.py: web.contacts.views",
        "companies/views.py: web.contacts.views.ContactMixin",
    ]

"""Apps depend downward only, read from the source (every import, also those inside a
function): `lib` imports none of our packages, `schedules` only `lib`, `accounts` only
`lib` and `schedules`, and no module of `accounts` or `lib` takes part in an import cycle
(once `accounts.models` ↔ `accounts.tenancy` ↔ `accounts.row_counts`)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))

# What each base package may import of ours, besides itself.
BELOW = {
    "lib": set(),
    "schedules": {"lib"},
    "accounts": {"lib", "schedules"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_of(package: str) -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, as dotted names (`from a import b` counts `a.b` when
    b is a module of ours, else `a`)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (ROOT / candidate.replace(".", "/")).with_suffix(".py").exists() or (
                    ROOT / candidate.replace(".", "/") / "__init__.py"
                ).exists()
                names.add(candidate if is_module else node.module)
    return names


def test_the_base_packages_exist():
    assert set(BELOW) <= set(OURS)
    assert {"companies", "contacts", "deals", "web"} <= set(OURS)


@pytest.mark.parametrize("package", list(BELOW))
def test_a_base_package_imports_nothing_above_it(package):
    allowed = {package, *BELOW[package]}
    upward = sorted(
        f"{module} imports {name}"
        for module, path in modules_of(package).items()
        for name in imported(path)
        if name.split(".")[0] in OURS and name.split(".")[0] not in allowed
    )
    assert upward == [], upward


def test_accounts_and_lib_have_no_import_cycle():
    graph = {}
    for package in ("accounts", "lib"):
        for module, path in modules_of(package).items():
            graph[module] = {name for name in imported(path) if name.split(".")[0] in BELOW}
    # A package imports its parents' __init__ too, which here hold no imports: only
    # edges between modules matter.
    cycles = []
    state = {}

    def visit(module, trail):
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target in graph and target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == [], cycles


def test_the_checker_sees_a_function_level_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from accounts.models import RowCount\n")
    assert "accounts.models" in imported(module)

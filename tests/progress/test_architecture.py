"""The learning areas depend on each other one way only (docs/architecture.md):
xapi <- content <- progress <- courses <- quizzes. A module-level or function-level import
against that order fails here."""

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parents[2] / "lms"
ORDER = ["xapi", "content", "progress", "courses", "quizzes"]


def imported_areas(area: str) -> dict[str, set[str]]:
    """For each module of the area, the other learning areas it imports."""
    found: dict[str, set[str]] = {}
    for path in (LMS / area).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        parts = {name.split(".")[1] for name in names if name.startswith("lms.") and name.count(".") >= 1}
        found[str(path.relative_to(LMS))] = (parts & set(ORDER)) - {area}
    return found


def test_learning_areas_import_only_those_below_them():
    wrong = []
    for position, area in enumerate(ORDER):
        below = set(ORDER[:position])
        for module, areas in imported_areas(area).items():
            wrong += [f"{module} imports lms.{other}" for other in sorted(areas - below)]
    assert wrong == []


def test_the_ledger_knows_no_projection():
    """xapi.record hands statements to registered projectors; it imports none of them."""
    assert all(not areas for areas in imported_areas("xapi").values())

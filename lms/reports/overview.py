"""The completion overview: per course, totals and a breakdown, and the chart series, in one
SQL statement.

The facts are counted once into *cells* (course x unit x province x staff group x region, a
few thousand rows at ministry scale); the totals, the breakdown and each chart are then sums
over the cells, in the same statement (a CTE), so a page scans the learners once. The counts
are additive, and averages are carried as sums and counts, so every grouping of cells is exact.
A unit's row is the sum over the unit and every unit below it (the tree's closure).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, cast, func, literal, null, select, union_all
from sqlalchemy.orm import aliased

from lms.accounts.models import OrgUnit, Province, StaffGroup, User
from lms.accounts.service import unit_and_descendant_ids
from lms.content.models import Course
from lms.extensions import session
from lms.reports import facts as F
from lms.reports.filters import BREAKDOWNS, NONE, REGIONS, ReportFilters
from lms.reports.rows import BreakdownRow, Counts, CourseReport, Overview

SUM_COLUMNS = ("learners", *F.COUNTED, "score_sum", "scored", "days_sum", "timed")
CELL_KEYS = ("course_id", "unit_id", "province_id", "staff_group", "region")


def completion_overview(filters: ReportFilters, actor: User, *, charts: tuple[str, ...] = ()) -> Overview:
    """Per course in the actor's scope (Thai title order): the total counts and, with
    ``filters.breakdown``, one row per staff group, unit (rolled up), province or region.
    ``charts`` names dimensions to count over all the filtered courses together."""
    unknown = [d for d in charts if d not in BREAKDOWNS]
    if unknown:
        raise ValueError(f"unknown chart dimension(s): {unknown}")
    f = F.facts(actor, filters)
    cells = (
        select(*(f.c[k] for k in CELL_KEYS), *F.sums(f)).group_by(*(f.c[k] for k in CELL_KEYS)).cte("cells")
    )
    closure = unit_closure()
    parts = [_part("total", cells, closure, None, filters, by_course=True)]
    if filters.breakdown:
        parts.append(_part("breakdown", cells, closure, filters.breakdown, filters, by_course=True))
    parts += [
        _part(f"chart:{dimension}", cells, closure, dimension, filters, by_course=False)
        for dimension in charts
    ]
    found = session.execute(union_all(*parts)).all()
    totals = {row.course_id: Counts.from_row(row) for row in found if row.part == "total"}
    breakdown = _rows(filters.breakdown, [row for row in found if row.part == "breakdown"])
    courses = [
        CourseReport(
            course_id=course_id,
            slug=info.slug,
            title_th=info.title_th,
            title_en=info.title_en,
            hours=float(info.hours),
            total=totals[course_id],
            rows=[row for owner, row in breakdown if owner == course_id],
        )
        for course_id, info in course_info(list(totals)).items()
    ]
    chart_rows = {
        dimension: [
            row for _owner, row in _rows(dimension, [r for r in found if r.part == f"chart:{dimension}"])
        ]
        for dimension in charts
    }
    return Overview(filters, filters.breakdown, courses, chart_rows)


def completion_by(filters: ReportFilters, actor: User, dimension: str) -> list[BreakdownRow]:
    """The filtered courses taken together (person-course pairs), by one dimension."""
    return completion_overview(filters, actor, charts=(dimension,)).charts[dimension]


def _part(name: str, cells, closure, dimension: str | None, filters: ReportFilters, *, by_course: bool):
    course = cells.c.course_id if by_course else cast(null(), Integer)
    sums = [select_sum(cells, column) for column in SUM_COLUMNS]
    if dimension is None:
        key = cast(null(), String)
        groups = [cells.c.course_id]
    elif dimension == "unit":
        return _unit_part(name, cells, closure, course, sums, filters, by_course)
    else:
        key = cast(
            cells.c[{"staff_group": "staff_group", "province": "province_id", "region": "region"}[dimension]],
            String,
        )
        groups = [*([cells.c.course_id] if by_course else []), key]
    return select(literal(name).label("part"), course.label("course_id"), key.label("key"), *sums).group_by(
        *groups
    )


def _unit_part(name: str, cells, closure, course, sums, filters: ReportFilters, by_course: bool):
    ancestor = cast(closure.c.ancestor_id, String)
    stmt = (
        select(literal(name).label("part"), course.label("course_id"), ancestor.label("key"), *sums)
        .select_from(cells)
        .outerjoin(closure, closure.c.unit_id == cells.c.unit_id)
        .group_by(*([cells.c.course_id] if by_course else []), closure.c.ancestor_id)
    )
    if filters.unit_id is not None:
        # Only the filtered unit and those below it: a row above it would count the same people.
        stmt = stmt.where(closure.c.ancestor_id.in_(sorted(unit_and_descendant_ids([filters.unit_id]))))
    return stmt


def select_sum(cells, column: str):
    return func.sum(cells.c[column]).label(column)


def unit_closure():
    """(ancestor_id, unit_id) for every unit and each unit at or below it: a recursive CTE."""
    child = aliased(OrgUnit, name="child_unit")
    closure = select(OrgUnit.id.label("ancestor_id"), OrgUnit.id.label("unit_id")).cte(
        "unit_closure", recursive=True
    )
    return closure.union_all(
        select(closure.c.ancestor_id, child.id).where(child.parent_id == closure.c.unit_id)
    )


def _rows(dimension: str | None, found: list) -> list[tuple[int | None, BreakdownRow]]:
    """Breakdown rows with their names, in order: units as a tree, provinces by Thai name,
    staff groups and regions in their fixed order; people without a value last."""
    if dimension is None:
        return []
    keys = [row.key for row in found if row.key is not None]
    names = _names(dimension, keys)
    built = []
    for row in found:
        code, name_th, name_en, order, depth = names.get(row.key, (NONE, "", "", (1, ""), 0))
        built.append(
            (
                row.course_id,
                order,
                BreakdownRow(dimension, code, Counts.from_row(row), name_th, name_en, depth),
            )
        )
    built.sort(key=lambda item: (item[0] or 0, item[1]))
    return [(course_id, row) for course_id, _order, row in built]


def _names(dimension: str, keys: list[str]) -> dict[str, tuple]:
    """For each key: (code, name_th, name_en, sort order, depth)."""
    if dimension in ("staff_group", "region"):
        order = [g.value for g in StaffGroup] if dimension == "staff_group" else list(REGIONS)
        return {k: (k, "", "", (0, order.index(k) if k in order else len(order)), 0) for k in keys}
    ids = [int(k) for k in keys]
    if dimension == "province":
        rows = session.execute(
            select(Province.id, Province.iso_code, Province.name_th, Province.name_en).where(
                Province.id.in_(ids)
            )
        )
        return {str(r.id): (r.iso_code, r.name_th, r.name_en, (0, r.name_th), 0) for r in rows}
    tree = unit_tree_order()
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name_th, OrgUnit.name_en).where(OrgUnit.id.in_(ids))
    )
    return {str(r.id): (r.code, r.name_th, r.name_en, (0, tree[r.id][0]), tree[r.id][1]) for r in rows}


def unit_tree_order() -> dict[int, tuple[int, int]]:
    """unit id -> (position in a depth-first walk of the org tree by code, depth).

    Walks the units (hundreds, not learners) in Python: sorting by a path string in SQL
    would follow the database's collation, which need not keep a parent before its children.
    """
    units = session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.code).order_by(OrgUnit.code)).all()
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    known = {unit.id for unit in units}
    roots = [unit.id for unit in units if unit.parent_id is None or unit.parent_id not in known]
    order: dict[int, tuple[int, int]] = {}
    stack = [(unit_id, 0) for unit_id in reversed(roots)]
    while stack:
        unit_id, depth = stack.pop()
        if unit_id in order:
            continue
        order[unit_id] = (len(order), depth)
        stack.extend((child, depth + 1) for child in reversed(children.get(unit_id, [])))
    return order


def course_info(course_ids: list[int]) -> dict[int, Any]:
    """Slug, titles and hours of each course's current version, in Thai title order."""
    if not course_ids:
        return {}
    current = F.current_versions().subquery("current")
    stmt = (
        select(Course.id, Course.slug, current.c.title_th, current.c.title_en, current.c.hours)
        .join(current, current.c.course_id == Course.id)
        .where(Course.id.in_(course_ids))
        .order_by(current.c.title_th, Course.slug)
    )
    return {row.id: row for row in session.execute(stmt)}

"""``flask lms content ...``: check, import and export course packages.

DIR may be one package (a folder with a course.yaml) or a folder of packages with an
optional learning-paths.yaml. Problems are printed as ``path:line: message``, with paths
relative to DIR. Every command exits 1, with the reason on stderr, when it fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.core.cli import fail
from lms.extensions import session
from lms.packages.check import check_folder, check_package, is_package
from lms.packages.exporter import ExportError, export_course
from lms.packages.importer import import_folder, import_package
from lms.packages.problems import PackageError, Problem, errors

content_cli = AppGroup("content", help="Course packages: check, import and export.")

DIRECTORY = click.Path(exists=True, file_okay=False, path_type=Path)


def report(problems: Iterable[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@content_cli.command("check")
@click.argument("directory", type=DIRECTORY)
def content_check(directory: Path) -> None:
    """Check a package, or a folder of packages, and print every problem found."""
    if is_package(directory):
        package = check_package(directory)
        problems, summaries = package.problems, [package.summary()]
    else:
        folder = check_folder(directory)
        problems, summaries = folder.problems, [package.summary() for package in folder.packages]
        if folder.paths:
            summaries.append(f"learning-paths.yaml: {len(folder.paths)} paths")
    report(problems)
    found = len(errors(problems))
    warnings = len(problems) - found
    if found:
        fail(f"{found} error(s) and {warnings} warning(s) in {directory}; fix the errors and check again")
    click.echo(f"OK: {directory} has no errors ({warnings} warning(s))")
    for line in summaries:
        click.echo(f"  {line}")


@content_cli.command("import")
@click.argument("directory", type=DIRECTORY)
def content_import(directory: Path) -> None:
    """Check, then import a package or a folder of packages: all of it, or nothing."""
    try:
        if is_package(directory):
            package = import_package(directory)
            courses, paths, templates = [package], [], package.templates
        else:
            result = import_folder(directory)
            courses, paths, templates = result.courses, result.paths, result.templates
    except PackageError as exc:
        session.rollback()
        report(exc.problems)
        fail(str(exc))
    session.commit()
    for course in courses:
        click.echo(str(course))
    for path in paths:
        click.echo(f"learning path {path.key}: {path.status}")
    for name in templates:
        click.echo(f"certificate template {name}: installed")


@content_cli.command("export")
@click.argument("course")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def content_export(course: str, directory: Path) -> None:
    """Write COURSE's newest version (by slug or IRI) as a package into DIRECTORY (new or empty)."""
    try:
        version = export_course(course, directory)
    except ExportError as exc:
        fail(str(exc))
    click.echo(f"Exported {version.course.slug} version {version.number} to {directory}")

"""Fixtures for the package tests: a copy of the tiny valid package to break, and a media store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "mini"
CONTENT = Path(__file__).parents[2] / "content"


@pytest.fixture
def mini(tmp_path) -> Path:
    """A fresh copy of tests/packages/fixtures/mini, safe to change."""
    target = tmp_path / "mini-course"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def media_store(app, tmp_path) -> Path:
    """The app's media store, in the test's own folder (never the real instance/media)."""
    store = tmp_path / "media-store"
    app.config["LMS_MEDIA_DIR"] = str(store)
    return store


def edit(package: Path, relative: str, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in one file of the package."""
    path = package / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def files_of(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

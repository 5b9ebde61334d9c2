"""Reading uploaded zips safely, and the zips of a version and a draft."""

from __future__ import annotations

import hashlib
import io
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest

from lms.accounts.models import Role
from lms.authoring import drafts, package_zip
from lms.authoring.models import CourseOwner
from lms.authoring.package_zip import ZipLimits, ZipRefused, extract, unpacked
from lms.extensions import session
from lms.packages.files import content_hash
from lms.packages.importer import import_package
from tests.conftest import login, make_user

LIMITS = ZipLimits(max_bytes=2 * 1024 * 1024, max_files=50)
EXEC = Path("content/exec-digital-leadership")


def zip_of(entries: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def refusal(stream, tmp_path: Path, limits: ZipLimits = LIMITS) -> ZipRefused:
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(ZipRefused) as refused:
        extract(stream, target, limits)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    return refused.value


@pytest.mark.parametrize("name", ["../x", "/etc/x", "..\\x", "lessons/../../x.md", "C:/x", "a//b"])
def test_names_that_leave_the_folder_are_refused_before_anything_is_written(tmp_path, name):
    stream = zip_of({"course.yaml": b"id: x\n", name: b"evil"})
    refused = refusal(stream, tmp_path)
    assert name in str(refused)
    assert refused.entry == name
    assert list((tmp_path / "out").iterdir()) == []


def test_a_symbolic_link_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course.yaml", "id: x\n")
        link = zipfile.ZipInfo("lessons/m1-l1.md")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    buffer.seek(0)
    refused = refusal(buffer, tmp_path)
    assert refused.entry == "lessons/m1-l1.md"
    assert "symbolic link" in str(refused)


def test_duplicate_names_are_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course.yaml", "a")
        with pytest.warns(UserWarning):
            archive.writestr("course.yaml", "b")
    buffer.seek(0)
    assert "twice" in str(refusal(buffer, tmp_path))


def test_an_encrypted_entry_is_refused(tmp_path):
    data = zip_of({"course.yaml": b"id: x\n"}).getvalue()
    # Set the "encrypted" bit in the local header and the central directory.
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = patched.find(signature)
        patched[at + offset] |= 0x1
    refused = refusal(io.BytesIO(bytes(patched)), tmp_path)
    assert "encrypted" in str(refused) or "password" in str(refused)


def test_too_many_entries_are_refused(tmp_path):
    stream = zip_of({f"media/f{n}.png": b"x" for n in range(LIMITS.max_files + 1)})
    assert str(LIMITS.max_files) in str(refusal(stream, tmp_path))


def test_a_file_that_inflates_past_the_limit_is_refused(tmp_path):
    stream = zip_of({"course.yaml": b"id: x\n", "media/zeros.mp4": b"\0" * (3 * 1024 * 1024)})
    assert len(stream.getvalue()) < 100_000
    refused = refusal(stream, tmp_path)
    assert refused.entry == "media/zeros.mp4"
    assert "LMS_PACKAGE_MAX_MB" in str(refused)


def test_a_zip_bomb_ratio_is_refused_under_the_size_limit(tmp_path):
    limits = ZipLimits(max_bytes=50 * 1024 * 1024, max_files=10)
    stream = zip_of({"media/zeros.mp4": b"\0" * (4 * 1024 * 1024)})
    assert "zip bomb" in str(refusal(stream, tmp_path, limits))


def test_lying_declared_sizes_are_caught_while_inflating(tmp_path):
    data = bytearray(zip_of({"media/a.mp4": b"\0" * 400_000}).getvalue())
    # Declare 100 bytes in both headers; the entry really inflates to 400 000.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    refused = refusal(io.BytesIO(bytes(data)), tmp_path, ZipLimits(max_bytes=1000, max_files=5))
    assert refused.entry == "media/a.mp4"


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04truncated", b""])
def test_not_a_zip_truncated_or_empty_is_refused(tmp_path, data):
    refused = refusal(io.BytesIO(data), tmp_path)
    assert "zip" in str(refused) or "empty" in str(refused)


def test_a_truncated_zip_is_refused(tmp_path):
    data = zip_of({"course.yaml": b"id: x\n" * 1000}).getvalue()
    refusal(io.BytesIO(data[: len(data) // 2]), tmp_path)


def test_files_in_one_top_folder_or_at_the_root_are_accepted(tmp_path):
    entries = {"course.yaml": b"id: x\n", "lessons/a.md": b"text"}
    for prefix in ("", "my-course/"):
        with unpacked(zip_of({prefix + k: v for k, v in entries.items()}), LIMITS) as root:
            assert (root / "course.yaml").read_bytes() == b"id: x\n"
            assert (root / "lessons/a.md").read_bytes() == b"text"
            folder = root if not prefix else root.parent
        assert not folder.exists()


def test_the_temporary_folder_is_removed_after_a_refusal():
    before = set(Path(tempfile.gettempdir()).glob("lms-package-*"))
    bad = zip_of({"course.yaml": b"x", "media/big.mp4": b"\0" * (3 * 1024 * 1024)})
    with pytest.raises(ZipRefused), unpacked(bad, LIMITS):
        pass
    assert set(Path(tempfile.gettempdir()).glob("lms-package-*")) == before


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_version_zip_holds_the_package_byte_for_byte(app, tmp_path):
    version = import_package(EXEC).version
    session.commit()
    data = package_zip.version_zip(version)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        expected = sorted(
            f"exec-digital-leadership/{p.relative_to(EXEC).as_posix()}"
            for p in EXEC.rglob("*")
            if p.is_file()
        )
        assert names == expected
        archive.extractall(tmp_path)
    assert content_hash(tmp_path / "exec-digital-leadership") == content_hash(EXEC)
    assert package_zip.version_zip(version) == data


def test_the_draft_zip_holds_the_draft_as_saved(app):
    course = import_package(EXEC).course
    owner = make_user(Role.TRAINER)
    session.add(CourseOwner(course_id=course.id, user_id=owner.id))
    draft = drafts.draft_of(owner, course)
    path = "lessons/m1-l1.md"
    drafts.save_text(draft, owner, path, "แก้แล้ว\n", drafts.revision(draft, path))
    session.commit()
    with zipfile.ZipFile(io.BytesIO(package_zip.draft_zip(draft))) as archive:
        assert archive.read(f"exec-digital-leadership/{path}").decode() == "แก้แล้ว\n"


def test_the_download_is_named_after_the_course_and_version(app, client, tmp_path):
    course = import_package(EXEC).course
    owner = make_user(Role.TRAINER)
    session.add(CourseOwner(course_id=course.id, user_id=owner.id))
    session.commit()
    login(client, owner.email)
    response = client.get("/authoring/exec-digital-leadership/versions/1.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "exec-digital-leadership-v1.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        archive.extractall(tmp_path)
    assert content_hash(tmp_path / "exec-digital-leadership") == content_hash(EXEC)
    assert client.get("/authoring/exec-digital-leadership/versions/2.zip").status_code == 404
    assert client.get("/authoring/exec-digital-leadership/draft.zip").status_code == 404

"""Export gives back the imported package byte for byte."""

import pytest

from lms.extensions import session
from lms.packages.check import check_package
from lms.packages.exporter import ExportError, export_course
from lms.packages.importer import import_folder, import_package
from tests.packages.conftest import CONTENT, files_of


def test_check_import_export_gives_identical_files(mini, media_store, tmp_path):
    assert check_package(mini).ok
    import_package(mini)
    session.commit()
    version = export_course("mini-course", tmp_path / "out")
    assert version.number == 1
    assert files_of(tmp_path / "out") == files_of(mini)


@pytest.mark.parametrize("slug", ["exec-digital-leadership", "practitioner-digital-skills"])
def test_the_shipped_packages_round_trip_byte_for_byte(media_store, tmp_path, slug):
    import_folder(CONTENT)
    session.commit()
    export_course(slug, tmp_path / slug)
    assert files_of(tmp_path / slug) == files_of(CONTENT / slug)


def test_export_by_iri_and_into_an_existing_empty_folder(mini, media_store, tmp_path):
    import_package(mini)
    (tmp_path / "out").mkdir()
    export_course("https://dg-lms.example/course/mini-course", tmp_path / "out")
    assert files_of(tmp_path / "out") == files_of(mini)


def test_export_refuses_a_folder_with_files_in_it(mini, media_store, tmp_path):
    import_package(mini)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match=r"is not an empty folder; export into a new or empty one"):
        export_course("mini-course", tmp_path / "out")


def test_export_of_an_unknown_course(app, tmp_path):
    with pytest.raises(ExportError, match=r"no imported course has the slug or IRI nope"):
        export_course("nope", tmp_path / "out")


def test_export_names_media_missing_from_the_store(mini, media_store, tmp_path):
    import_package(mini)
    for stored in media_store.glob("*.png"):
        stored.unlink()
    with pytest.raises(ExportError, match=r"media/diagram\.png is missing from the media store"):
        export_course("mini-course", tmp_path / "out")
    assert not (tmp_path / "out").exists()

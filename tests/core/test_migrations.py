"""The LMS's own migrations: a clean upgrade matches the models, and downgrade undoes it."""

import pycountry
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

import lms.models  # noqa: F401
from lms.accounts.models import Province
from lms.core import migrations
from lms.extensions import Base, session
from tests.conftest import empty_database, head_revision, make_app


def only_lms(obj, name, type_, reflected, compare_to):
    return type_ != "table" or name.startswith("lms_")


def diff_against_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": only_lms,
                "version_table": migrations.VERSION_TABLE,
            },
        )
        return compare_metadata(context, Base.metadata)


def test_upgrade_on_an_empty_database_matches_the_models(backend, tmp_path_factory):
    with empty_database(backend, tmp_path_factory) as url:
        app = make_app(url)
        with app.app_context():
            engine = app.extensions["sqlalchemy"].engine
            migrations.upgrade()
            assert diff_against_models(engine) == []
            tables = set(inspect(engine).get_table_names())
            assert "lms_alembic_version" in tables and "alembic_version" not in tables
            assert all(name.startswith("lms_") for name in tables)
            assert migrations.current() == f"{head_revision()} (head)"
            migrations.downgrade("base")
            assert set(inspect(engine).get_table_names()) <= {"lms_alembic_version"}
            migrations.upgrade()
            assert diff_against_models(engine) == []
            session.remove()
            engine.dispose()


def test_the_cli_reports_the_revision(runner):
    result = runner.invoke(args=["lms", "db", "current"])
    assert result.exit_code == 0
    assert result.output.strip() == f"{head_revision()} (head)"


def test_all_77_provinces_match_iso_3166_2(app):
    provinces = {p.iso_code: p for p in session.scalars(select(Province))}
    assert len(provinces) == 77
    iso = {s.code: s.name for s in pycountry.subdivisions.get(country_code="TH")}
    # ISO lists Pattaya (TH-S), a special administrative city, alongside the provinces.
    assert set(provinces) == set(iso) - {"TH-S"}
    assert provinces["TH-10"].name_th == "กรุงเทพมหานคร"
    assert provinces["TH-38"].name_en == "Bueng Kan" and provinces["TH-38"].name_th == "บึงกาฬ"
    for code, province in provinces.items():
        if code != "TH-10":  # ISO spells Bangkok "Krung Thep Maha Nakhon"
            assert province.name_en.replace(" ", "").lower() == iso[code].replace(" ", "").lower()

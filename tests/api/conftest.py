"""The reports API tests use the reports tests' hand-built organisation, built once per module."""

from tests.reports.conftest import built, shared  # noqa: F401 (fixtures)

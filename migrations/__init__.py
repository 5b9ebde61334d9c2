"""The LMS's Alembic migrations (installed as ``lms.migrations``)."""

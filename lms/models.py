"""Imports every area's models, so Base.metadata knows every LMS table."""

from lms.accounts.models import HRScope, OrgUnit, Province, User, UserRole

__all__ = ["HRScope", "OrgUnit", "Province", "User", "UserRole"]

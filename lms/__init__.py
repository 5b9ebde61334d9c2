"""A Flask learning-management plugin for training civil servants in digital-government skills.

``LMS(app, url_prefix="/learn")`` mounts it into an app; ``create_app()`` builds the
standalone app (``flask --app lms run``).
"""

from lms.accounts.identity import Identity
from lms.app import create_app
from lms.extension import LMS

__all__ = ["LMS", "Identity", "create_app"]

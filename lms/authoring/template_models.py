"""Certificate template drafts: a template's three files as they are being edited.

A draft never changes a live template; publishing writes its files into the site's templates
folder (``lms.authoring.certificate_templates.publish``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User, utcnow
from lms.extensions import Base, UTCDateTime


class CertificateTemplateDraft(Base):
    """One site template being written: ``template.html``, ``theme.css`` and ``metadata.yaml``.

    ``revision`` counts the saves; a save names the revision it started from and is refused when
    another save came in between (optimistic locking, as for course drafts, ADR 0036).
    """

    __tablename__ = "lms_certificate_template_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(41), unique=True)
    source_name: Mapped[str] = mapped_column(String(100), default="")
    """The template it was copied from (its other files, such as images, come along on publish)."""
    template_html: Mapped[str] = mapped_column(Text, default="")
    theme_css: Mapped[str] = mapped_column(Text, default="")
    metadata_yaml: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    published_revision: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    def __repr__(self) -> str:
        return f"<CertificateTemplateDraft {self.name} r{self.revision}>"

    @property
    def unpublished_changes(self) -> bool:
        return self.published_revision != self.revision

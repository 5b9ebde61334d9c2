"""What the LRS keeps beside each stored statement, and the index its queries filter on.

``StoredStatement.raw`` stays the JSON as received; ``LrsStatementMeta`` holds what the LRS
adds (``authority``, ``version``; ``stored`` is ``StoredStatement.stored_at``) and who stored it,
so ``statements/read/mine`` never trusts an authority a client wrote. ``LrsStatementKey`` rows
make every GET filter SQL: one row per agent (by inverse functional identifier), activity, verb
and registration a statement names, with the role it has there. A statement whose object is a
StatementRef also gets its target's rows (``inherited``), which is how the spec's filter rule
for StatementRefs (Communication 2.1.3) is answered without recursion at query time.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import Base

SEQ = BigInteger().with_variant(Integer, "sqlite")


class LrsStatementMeta(Base):
    """The properties the LRS sets on one statement, and the principal that stored it."""

    __tablename__ = "lms_lrs_statement_meta"

    seq: Mapped[int] = mapped_column(
        SEQ, ForeignKey("lms_statements.seq", ondelete="CASCADE"), primary_key=True
    )
    authority: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(20))
    stored_by: Mapped[str] = mapped_column(String(600), index=True)
    target_id: Mapped[str | None] = mapped_column(String(36), index=True)

    def __repr__(self) -> str:
        return f"<LrsStatementMeta {self.seq} by {self.stored_by}>"


class LrsStatementKey(Base):
    """One filterable value of a statement: ``kind`` is agent, activity, verb or registration."""

    __tablename__ = "lms_lrs_statement_keys"

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(SEQ, ForeignKey("lms_statements.seq", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    value: Mapped[str] = mapped_column(String(2048))
    role: Mapped[str] = mapped_column(String(20))
    inherited: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_lms_lrs_statement_keys_lookup", "kind", "value", "seq"),
        Index("ix_lms_lrs_statement_keys_seq", "seq"),
    )

    def __repr__(self) -> str:
        return f"<LrsStatementKey {self.seq} {self.kind} {self.role} {self.value}>"

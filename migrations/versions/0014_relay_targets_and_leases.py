"""relay: outbox target of any length, leases, backoff, parked rows; the targets' last state

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 05:10:00

``lrs_name`` was varchar(100): a forwarding URL longer than that made every statement insert
fail. It becomes text. A relay leases the rows it sends (``lease_owner``, ``leased_until``),
retries a failed row at ``next_attempt_at`` and parks a row the target refuses (``parked_at``).
"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PENDING = sa.text("sent_at IS NULL AND parked_at IS NULL")


def upgrade():
    with op.batch_alter_table("lms_xapi_outbox", schema=None) as batch_op:
        batch_op.alter_column(
            "lrs_name", existing_type=sa.String(length=100), type_=sa.Text(), existing_nullable=False
        )
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_lms_xapi_outbox_pending",
        "lms_xapi_outbox",
        ["lrs_name", "id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_table(
        "lms_xapi_relay_targets",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_lms_xapi_relay_targets")),
    )


def downgrade():
    op.drop_table("lms_xapi_relay_targets")
    op.drop_index("ix_lms_xapi_outbox_pending", table_name="lms_xapi_outbox")
    with op.batch_alter_table("lms_xapi_outbox", schema=None) as batch_op:
        batch_op.drop_column("parked_at")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("leased_until")
        batch_op.drop_column("next_attempt_at")
        batch_op.alter_column(
            "lrs_name", existing_type=sa.Text(), type_=sa.String(length=100), existing_nullable=False
        )

"""LRS attachments: payloads received with statements, kept once per SHA-2

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 05:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_lrs_attachments',
        sa.Column('sha2', sa.String(length=128), nullable=False),
        sa.Column('content_type', sa.String(length=255), nullable=False),
        sa.Column('length', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('sha2'),
    )


def downgrade():
    op.drop_table('lms_lrs_attachments')

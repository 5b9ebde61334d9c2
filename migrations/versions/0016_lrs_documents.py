"""LRS documents: the State, Activity Profile and Agent Profile resources' documents

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 05:20:00

Each document is bytes with its content type and ETag; rows are found by SHA-256 digests of
their identity (kind, activity, agent, registration, id), which may be longer than an index
allows.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_lrs_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('scope_sha256', sa.String(length=64), nullable=False),
        sa.Column('key_sha256', sa.String(length=64), nullable=False),
        sa.Column('activity_id', sa.Text(), nullable=True),
        sa.Column('agent_ifi', sa.Text(), nullable=True),
        sa.Column('registration', sa.String(length=36), nullable=True),
        sa.Column('document_id', sa.Text(), nullable=False),
        sa.Column('content_type', sa.String(length=255), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('etag', sa.String(length=40), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_sha256'),
    )
    op.create_index('ix_lms_lrs_documents_scope', 'lms_lrs_documents', ['scope_sha256', 'updated_at'])


def downgrade():
    op.drop_index('ix_lms_lrs_documents_scope', table_name='lms_lrs_documents')
    op.drop_table('lms_lrs_documents')

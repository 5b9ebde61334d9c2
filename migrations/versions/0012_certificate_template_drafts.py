"""authoring: certificate template drafts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 05:00:00

A site certificate template being edited in the browser: its three files, a revision for
optimistic locking, who made and changed it and when it was last published.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_certificate_template_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=41), nullable=False),
        sa.Column('source_name', sa.String(length=100), nullable=False),
        sa.Column('template_html', sa.Text(), nullable=False),
        sa.Column('theme_css', sa.Text(), nullable=False),
        sa.Column('metadata_yaml', sa.Text(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('published_revision', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['lms_users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['published_by_id'], ['lms_users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )


def downgrade():
    op.drop_table('lms_certificate_template_drafts')

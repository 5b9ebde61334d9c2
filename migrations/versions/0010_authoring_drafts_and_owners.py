"""authoring: course owners, and drafts held as package files

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 04:40:00

A trainer owns the courses they may edit; a course has at most one draft, whose files are the
package's files as they are being edited (ADR 0036).
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_course_owners',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('course_id', 'user_id'),
    )
    op.create_index('ix_lms_course_owners_user_id', 'lms_course_owners', ['user_id'])
    op.create_table(
        'lms_course_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('base_version_number', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('course_id'),
    )
    op.create_table(
        'lms_draft_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('media_sha256', sa.String(length=64), nullable=True),
        sa.Column('media_size', sa.Integer(), nullable=True),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['draft_id'], ['lms_course_drafts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['lms_users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('draft_id', 'path', name='uq_lms_draft_files_path'),
    )
    op.create_index('ix_lms_draft_files_draft_id', 'lms_draft_files', ['draft_id'])


def downgrade():
    op.drop_index('ix_lms_draft_files_draft_id', table_name='lms_draft_files')
    op.drop_table('lms_draft_files')
    op.drop_table('lms_course_drafts')
    op.drop_index('ix_lms_course_owners_user_id', table_name='lms_course_owners')
    op.drop_table('lms_course_owners')

"""LRS launch tokens: short-lived access for content the LMS launches (cmi5's fetch URL)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 05:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_lrs_launch_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Text(), nullable=False),
        sa.Column('registration', sa.String(length=36), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_sha256'),
    )
    op.create_index('ix_lms_lrs_launch_tokens_user_id', 'lms_lrs_launch_tokens', ['user_id'])


def downgrade():
    op.drop_index('ix_lms_lrs_launch_tokens_user_id', table_name='lms_lrs_launch_tokens')
    op.drop_table('lms_lrs_launch_tokens')

"""job heartbeats: a job whose workers died shows as stopped and can be resumed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 01:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

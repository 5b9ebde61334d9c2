"""sessions and sign-in: a server-side session epoch per user, and a forced password change

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 01:20:00

Every user gains a session epoch, stored in the session at sign-in and compared on every
request: raising it (sign-out, password change, reset, deactivation) ends every session the
user has. A reset password is marked to be changed at the next sign-in.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(
            sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('lms_users', schema=None) as batch_op:
        batch_op.alter_column('session_epoch', server_default=None)
        batch_op.alter_column('must_change_password', server_default=None)


def downgrade():
    with op.batch_alter_table('lms_users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_epoch')

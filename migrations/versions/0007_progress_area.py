"""progress area: a quiz grade stored once, page views counted once, the audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:45:00

The grade of a quiz attempt now lives only in its outcome (projected from the attempt's
passed or failed statement): the outcome gains the raw score and its maximum, taken from the
attempt, and the attempt loses its copy. Lesson progress remembers the last page view counted.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_quiz_outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('earned', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('possible', sa.Float(), nullable=False, server_default='0'))
    op.execute(
        "UPDATE lms_quiz_outcomes SET "
        "earned = COALESCE((SELECT a.earned FROM lms_quiz_attempts a WHERE a.id = lms_quiz_outcomes.attempt_id), 0), "
        "possible = COALESCE((SELECT a.possible FROM lms_quiz_attempts a WHERE a.id = lms_quiz_outcomes.attempt_id), 0)"
    )
    with op.batch_alter_table('lms_quiz_outcomes', schema=None) as batch_op:
        batch_op.alter_column('earned', server_default=None)
        batch_op.alter_column('possible', server_default=None)
    with op.batch_alter_table('lms_quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('earned')
        batch_op.drop_column('possible')
        batch_op.drop_column('is_passed')
    with op.batch_alter_table('lms_lesson_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_view_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('last_view_seconds', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('lms_lesson_progress', schema=None) as batch_op:
        batch_op.alter_column('last_view_seconds', server_default=None)
    op.create_table(
        'lms_audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['lms_users.id'], name=op.f('fk_lms_audit_log_actor_id_lms_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_audit_log')),
    )
    with op.batch_alter_table('lms_audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_audit_log_subject'), ['subject'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_audit_log_subject'))
        batch_op.drop_index(batch_op.f('ix_lms_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_lms_audit_log_actor_id'))
    op.drop_table('lms_audit_log')
    with op.batch_alter_table('lms_lesson_progress', schema=None) as batch_op:
        batch_op.drop_column('last_view_seconds')
        batch_op.drop_column('last_view_id')
    with op.batch_alter_table('lms_quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_passed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('possible', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('earned', sa.Float(), nullable=True))
    op.execute(
        "UPDATE lms_quiz_attempts SET "
        "earned = (SELECT o.earned FROM lms_quiz_outcomes o WHERE o.attempt_id = lms_quiz_attempts.id), "
        "possible = (SELECT o.possible FROM lms_quiz_outcomes o WHERE o.attempt_id = lms_quiz_attempts.id), "
        "is_passed = (SELECT o.is_passed FROM lms_quiz_outcomes o WHERE o.attempt_id = lms_quiz_attempts.id)"
    )
    with op.batch_alter_table('lms_quiz_outcomes', schema=None) as batch_op:
        batch_op.drop_column('possible')
        batch_op.drop_column('earned')

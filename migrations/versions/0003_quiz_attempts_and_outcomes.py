"""quiz attempts and outcomes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('lms_quiz_attempts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('quiz_key', sa.String(length=100), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('choice_orders', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.Column('earned', sa.Float(), nullable=True),
    sa.Column('possible', sa.Float(), nullable=True),
    sa.Column('is_passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['registration'], ['lms_enrolments.registration'], name=op.f('fk_lms_quiz_attempts_registration_lms_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['lms_course_versions.id'], name=op.f('fk_lms_quiz_attempts_version_id_lms_course_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_quiz_attempts')),
    sa.UniqueConstraint('registration', 'quiz_key', 'number', name='uq_lms_quiz_attempts_number')
    )
    with op.batch_alter_table('lms_quiz_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_quiz_attempts_registration'), ['registration'], unique=False)

    op.create_table('lms_quiz_outcomes',
    sa.Column('attempt_id', sa.String(length=36), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('quiz_key', sa.String(length=100), nullable=False),
    sa.Column('attempt_number', sa.Integer(), nullable=False),
    sa.Column('scaled', sa.Float(), nullable=False),
    sa.Column('is_passed', sa.Boolean(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration'], ['lms_enrolments.registration'], name=op.f('fk_lms_quiz_outcomes_registration_lms_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', name=op.f('pk_lms_quiz_outcomes'))
    )
    with op.batch_alter_table('lms_quiz_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_quiz_outcomes_registration'), ['registration'], unique=False)




def downgrade():

    with op.batch_alter_table('lms_quiz_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_quiz_outcomes_registration'))

    op.drop_table('lms_quiz_outcomes')
    with op.batch_alter_table('lms_quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_quiz_attempts_registration'))

    op.drop_table('lms_quiz_attempts')


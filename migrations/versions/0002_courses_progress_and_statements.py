"""courses, progress and statements

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('lms_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('iri', sa.String(length=500), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_courses')),
    sa.UniqueConstraint('iri', name=op.f('uq_lms_courses_iri')),
    sa.UniqueConstraint('slug', name=op.f('uq_lms_courses_slug'))
    )
    op.create_table('lms_learning_paths',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('staff_group', sa.String(length=32), nullable=False),
    sa.Column('title_th', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('course_slugs', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_learning_paths')),
    sa.UniqueConstraint('key', name=op.f('uq_lms_learning_paths_key'))
    )
    with op.batch_alter_table('lms_learning_paths', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_learning_paths_staff_group'), ['staff_group'], unique=False)

    op.create_table('lms_course_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('package_version', sa.String(length=50), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title_th', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('summary_th', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('completion_rule', sa.JSON(), nullable=False),
    sa.Column('certificate_template', sa.String(length=100), nullable=False),
    sa.Column('package', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_course_versions_course_id_lms_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_course_versions')),
    sa.UniqueConstraint('course_id', 'number', name='uq_lms_course_versions_number')
    )
    with op.batch_alter_table('lms_course_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_course_versions_course_id'), ['course_id'], unique=False)

    op.create_table('lms_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_th', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('quiz_key', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['lms_course_versions.id'], name=op.f('fk_lms_modules_version_id_lms_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_modules')),
    sa.UniqueConstraint('version_id', 'key', name='uq_lms_modules_key')
    )
    with op.batch_alter_table('lms_modules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_modules_version_id'), ['version_id'], unique=False)

    op.create_table('lms_enrolments',
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_version', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('launched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_lesson_key', sa.String(length=100), nullable=True),
    sa.Column('time_spent_seconds', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_enrolments_course_id_lms_courses')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_enrolments_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration', name=op.f('pk_lms_enrolments')),
    sa.UniqueConstraint('user_id', 'course_id', name='uq_lms_enrolments_user_course')
    )
    with op.batch_alter_table('lms_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_enrolments_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_enrolments_user_id'), ['user_id'], unique=False)

    op.create_table('lms_lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_th', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['lms_modules.id'], name=op.f('fk_lms_lessons_module_id_lms_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_lessons')),
    sa.UniqueConstraint('module_id', 'key', name='uq_lms_lessons_key')
    )
    with op.batch_alter_table('lms_lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_lessons_module_id'), ['module_id'], unique=False)

    op.create_table('lms_statements',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('actor_name', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('verb_id', sa.String(length=500), nullable=False),
    sa.Column('object_id', sa.String(length=500), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('timestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_voided', sa.Boolean(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_statements_user_id_lms_users')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_lms_statements')),
    sa.UniqueConstraint('id', name=op.f('uq_lms_statements_id'))
    )
    with op.batch_alter_table('lms_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_statements_actor_name'), ['actor_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statements_object_id'), ['object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statements_registration'), ['registration'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statements_user_id'), ['user_id'], unique=False)

    op.create_table('lms_lesson_progress',
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('lesson_key', sa.String(length=100), nullable=False),
    sa.Column('first_viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('time_spent_seconds', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration'], ['lms_enrolments.registration'], name=op.f('fk_lms_lesson_progress_registration_lms_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration', 'lesson_key', name=op.f('pk_lms_lesson_progress'))
    )
    op.create_table('lms_xapi_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('lrs_name', sa.String(length=100), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['lms_statements.id'], name=op.f('fk_lms_xapi_outbox_statement_id_lms_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_xapi_outbox')),
    sa.UniqueConstraint('statement_id', 'lrs_name', name='uq_lms_xapi_outbox_target')
    )
    with op.batch_alter_table('lms_xapi_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_xapi_outbox_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_xapi_outbox_statement_id'), ['statement_id'], unique=False)




def downgrade():

    with op.batch_alter_table('lms_xapi_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_xapi_outbox_statement_id'))
        batch_op.drop_index(batch_op.f('ix_lms_xapi_outbox_sent_at'))

    op.drop_table('lms_xapi_outbox')
    op.drop_table('lms_lesson_progress')
    with op.batch_alter_table('lms_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_statements_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_statements_registration'))
        batch_op.drop_index(batch_op.f('ix_lms_statements_object_id'))
        batch_op.drop_index(batch_op.f('ix_lms_statements_actor_name'))

    op.drop_table('lms_statements')
    with op.batch_alter_table('lms_lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_lessons_module_id'))

    op.drop_table('lms_lessons')
    with op.batch_alter_table('lms_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_enrolments_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_enrolments_course_id'))

    op.drop_table('lms_enrolments')
    with op.batch_alter_table('lms_modules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_modules_version_id'))

    op.drop_table('lms_modules')
    with op.batch_alter_table('lms_course_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_course_versions_course_id'))

    op.drop_table('lms_course_versions')
    with op.batch_alter_table('lms_learning_paths', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_learning_paths_staff_group'))

    op.drop_table('lms_learning_paths')
    op.drop_table('lms_courses')


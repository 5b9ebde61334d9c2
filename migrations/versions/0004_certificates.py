"""certificates

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('lms_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=True),
    sa.Column('verification_code', sa.String(length=32), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('issue_number', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=100), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_certificates_course_id_lms_courses')),
    sa.ForeignKeyConstraint(['registration'], ['lms_enrolments.registration'], name=op.f('fk_lms_certificates_registration_lms_enrolments')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['lms_users.id'], name=op.f('fk_lms_certificates_revoked_by_id_lms_users')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['lms_certificates.id'], name=op.f('fk_lms_certificates_superseded_by_id_lms_certificates')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_certificates_user_id_lms_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_certificates')),
    sa.UniqueConstraint('registration', 'issue_number', name='uq_lms_certificates_issue'),
    sa.UniqueConstraint('serial', name=op.f('uq_lms_certificates_serial'))
    )
    with op.batch_alter_table('lms_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_certificates_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_certificates_registration'), ['registration'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_certificates_user_id'), ['user_id'], unique=False)




def downgrade():

    with op.batch_alter_table('lms_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_certificates_registration'))
        batch_op.drop_index(batch_op.f('ix_lms_certificates_course_id'))

    op.drop_table('lms_certificates')


"""accounts and organisation

Revision ID: 0001
Revises: 
Create Date: 2026-11-24

Also loads the 77 provinces (ISO 3166-2:TH) as reference data.

"""
import csv
from importlib import resources

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    provinces = op.create_table('lms_provinces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('iso_code', sa.String(length=8), nullable=False),
    sa.Column('name_th', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_provinces')),
    sa.UniqueConstraint('iso_code', name=op.f('uq_lms_provinces_iso_code'))
    )
    op.bulk_insert(provinces, _province_rows())
    op.create_table('lms_org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_th', sa.String(length=255), nullable=False),
    sa.Column('name_en', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('is_central', sa.Boolean(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['lms_org_units.id'], name=op.f('fk_lms_org_units_parent_id_lms_org_units')),
    sa.ForeignKeyConstraint(['province_id'], ['lms_provinces.id'], name=op.f('fk_lms_org_units_province_id_lms_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_org_units')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_org_units_code'))
    )
    with op.batch_alter_table('lms_org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_org_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_org_units_province_id'), ['province_id'], unique=False)

    op.create_table('lms_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('title_th', sa.String(length=64), nullable=False),
    sa.Column('first_name_th', sa.String(length=100), nullable=False),
    sa.Column('last_name_th', sa.String(length=100), nullable=False),
    sa.Column('title_en', sa.String(length=64), nullable=False),
    sa.Column('first_name_en', sa.String(length=100), nullable=False),
    sa.Column('last_name_en', sa.String(length=100), nullable=False),
    sa.Column('staff_group', sa.String(length=32), nullable=False),
    sa.Column('position', sa.String(length=255), nullable=False),
    sa.Column('level', sa.String(length=100), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("staff_group IN ('executive', 'practitioner', 'general')", name=op.f('ck_lms_users_staff_group_known')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['lms_org_units.id'], name=op.f('fk_lms_users_org_unit_id_lms_org_units')),
    sa.ForeignKeyConstraint(['province_id'], ['lms_provinces.id'], name=op.f('fk_lms_users_province_id_lms_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_users')),
    sa.UniqueConstraint('email', name=op.f('uq_lms_users_email')),
    sa.UniqueConstraint('external_id', name=op.f('uq_lms_users_external_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_lms_users_uuid'))
    )
    with op.batch_alter_table('lms_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_users_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_users_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_users_staff_group'), ['staff_group'], unique=False)

    op.create_table('lms_hr_scopes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(org_unit_id IS NULL) <> (province_id IS NULL)', name=op.f('ck_lms_hr_scopes_exactly_one_target')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['lms_org_units.id'], name=op.f('fk_lms_hr_scopes_org_unit_id_lms_org_units')),
    sa.ForeignKeyConstraint(['province_id'], ['lms_provinces.id'], name=op.f('fk_lms_hr_scopes_province_id_lms_provinces')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_hr_scopes_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_hr_scopes')),
    sa.UniqueConstraint('user_id', 'org_unit_id', 'province_id', name='uq_lms_hr_scopes_target')
    )
    with op.batch_alter_table('lms_hr_scopes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_hr_scopes_user_id'), ['user_id'], unique=False)

    op.create_table('lms_user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('learner', 'trainer', 'hr', 'admin')", name=op.f('ck_lms_user_roles_role_known')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_user_roles_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_lms_user_roles'))
    )


def downgrade():
    op.drop_table('lms_user_roles')
    with op.batch_alter_table('lms_hr_scopes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_hr_scopes_user_id'))

    op.drop_table('lms_hr_scopes')
    with op.batch_alter_table('lms_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_users_staff_group'))
        batch_op.drop_index(batch_op.f('ix_lms_users_province_id'))
        batch_op.drop_index(batch_op.f('ix_lms_users_org_unit_id'))

    op.drop_table('lms_users')
    with op.batch_alter_table('lms_org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_org_units_province_id'))
        batch_op.drop_index(batch_op.f('ix_lms_org_units_parent_id'))

    op.drop_table('lms_org_units')
    op.drop_table('lms_provinces')


def _province_rows():
    text = resources.files("lms.accounts").joinpath("data/provinces.csv").read_text(encoding="utf-8")
    return [
        {"id": number, **row}
        for number, row in enumerate(csv.DictReader(text.splitlines()), start=1)
    ]

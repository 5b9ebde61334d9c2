"""LRS statement index: what the LRS adds to each statement, and the keys its GET filters use

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 05:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'lms_lrs_statement_meta',
        sa.Column('seq', SEQ, nullable=False),
        sa.Column('authority', sa.Text(), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('stored_by', sa.String(length=600), nullable=False),
        sa.Column('target_id', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(['seq'], ['lms_statements.seq'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('seq'),
    )
    op.create_index('ix_lms_lrs_statement_meta_stored_by', 'lms_lrs_statement_meta', ['stored_by'])
    op.create_index('ix_lms_lrs_statement_meta_target_id', 'lms_lrs_statement_meta', ['target_id'])
    op.create_table(
        'lms_lrs_statement_keys',
        sa.Column('id', SEQ, autoincrement=True, nullable=False),
        sa.Column('seq', SEQ, nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('value', sa.String(length=2048), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('inherited', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['seq'], ['lms_statements.seq'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_lms_lrs_statement_keys_lookup', 'lms_lrs_statement_keys', ['kind', 'value', 'seq']
    )
    op.create_index('ix_lms_lrs_statement_keys_seq', 'lms_lrs_statement_keys', ['seq'])


def downgrade():
    op.drop_index('ix_lms_lrs_statement_keys_seq', table_name='lms_lrs_statement_keys')
    op.drop_index('ix_lms_lrs_statement_keys_lookup', table_name='lms_lrs_statement_keys')
    op.drop_table('lms_lrs_statement_keys')
    op.drop_index('ix_lms_lrs_statement_meta_target_id', table_name='lms_lrs_statement_meta')
    op.drop_index('ix_lms_lrs_statement_meta_stored_by', table_name='lms_lrs_statement_meta')
    op.drop_table('lms_lrs_statement_meta')

"""insights: quiz answers and the choices picked, projected from 'answered' statements

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 05:00:00

The trainers' quiz item analysis reads these with SQL aggregates (docs/insights.md).
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_question_answers",
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("quiz_key", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=True),
        sa.Column("scaled", sa.Float(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration"], ["lms_enrolments.registration"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["course_id"], ["lms_courses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("statement_id"),
    )
    op.create_index("ix_lms_question_answers_registration", "lms_question_answers", ["registration"])
    op.create_index("ix_lms_question_answers_attempt_id", "lms_question_answers", ["attempt_id"])
    op.create_index(
        "ix_lms_question_answers_item",
        "lms_question_answers",
        ["course_id", "quiz_key", "question_id", "is_correct", "attempt_id"],
    )
    op.create_table(
        "lms_question_answer_choices",
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("choice_id", sa.String(length=100), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("quiz_key", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["lms_courses.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["statement_id"], ["lms_question_answers.statement_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("statement_id", "choice_id"),
    )
    op.create_index(
        "ix_lms_question_answer_choices_item",
        "lms_question_answer_choices",
        ["course_id", "quiz_key", "question_id", "choice_id"],
    )


def downgrade():
    op.drop_index("ix_lms_question_answer_choices_item", table_name="lms_question_answer_choices")
    op.drop_table("lms_question_answer_choices")
    op.drop_index("ix_lms_question_answers_item", table_name="lms_question_answers")
    op.drop_index("ix_lms_question_answers_attempt_id", table_name="lms_question_answers")
    op.drop_index("ix_lms_question_answers_registration", table_name="lms_question_answers")
    op.drop_table("lms_question_answers")

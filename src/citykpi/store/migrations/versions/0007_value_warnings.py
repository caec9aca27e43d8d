"""Warnings of an uploaded file are kept with the values; entries say how their last change came.

Revision ID: 0007
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "value_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("kpi", sa.String(length=40), nullable=True, comment="NULL: a warning about the whole file"),
        sa.Column(
            "place",
            sa.String(length=300),
            nullable=False,
            comment="Diagnostic key and location: what makes it the same",
        ),
        sa.Column(
            "diagnostic",
            sa.JSON(none_as_null=True),
            nullable=False,
            comment="The Diagnostic as JSON (type, message, location)",
        ),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("explained_by", sa.String(length=100), nullable=False),
        sa.Column("explained_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_value_warnings_period_id_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_warnings")),
    )
    with op.batch_alter_table("value_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_value_warnings_period_id"), ["period_id"], unique=False)
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "changed_through",
                sa.String(length=10),
                nullable=True,
                comment="How the last change came: 'import' (a file) or 'edit' (form, script); NULL before 0007",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("changed_through")
    with op.batch_alter_table("value_warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_value_warnings_period_id"))
    op.drop_table("value_warnings")

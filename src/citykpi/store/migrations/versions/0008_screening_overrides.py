"""Hubs set their own screening thresholds; entries remember where their value was last written.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub", sa.String(length=100), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_overrides")),
        sa.UniqueConstraint("hub", "rule", name=op.f("uq_screening_overrides_hub")),
    )
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "location",
                sa.JSON(),
                nullable=True,
                comment="Where the stored value was last written: a workbook's sheet and cell, a CSV row, "
                "or the web form",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("location")
    op.drop_table("screening_overrides")

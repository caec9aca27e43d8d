"""Periods keep their completion figures (derived; filled by the application after upgrading).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completion", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.drop_column("completion")

"""Cities carry coordinates, so hub overviews can draw them on a map.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True, comment="WGS 84 degrees, for maps"))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True, comment="WGS 84 degrees, for maps"))


def downgrade() -> None:
    with op.batch_alter_table("cities", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")

"""Results keep their quality and source as columns; the bulk open-data files are stored.

The query API and the bulk files read quality and source of ~100 000 results at once; from the
stored JSON record that meant parsing every record in the database. The bulk files are built when
what is published changes and kept here, so a download is a read.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "quality", sa.Integer(), nullable=True, comment="The record's data quality, read without its JSON"
            )
        )
        batch_op.add_column(
            sa.Column("source", sa.Text(), server_default="", nullable=False, comment="The record's source, likewise")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE results SET quality = (record->>'quality')::integer, source = coalesce(record->>'source', '')"
        )
    else:
        op.execute(
            "UPDATE results SET quality = json_extract(record, '$.quality'), "
            "source = coalesce(json_extract(record, '$.source'), '')"
        )
    op.create_table(
        "open_data_files",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "stamp",
            sa.String(length=200),
            nullable=False,
            comment="What it was built from: published stamp and licence",
        ),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_open_data_files")),
    )


def downgrade() -> None:
    op.drop_table("open_data_files")
    # Plain ALTER TABLE ... DROP COLUMN, as in 0010: no batch copy of a table others refer to.
    for column in ("source", "quality"):
        op.drop_column("results", column)

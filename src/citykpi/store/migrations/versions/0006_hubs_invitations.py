"""Hubs become records (key, name, country) and new users are invited by a one-time link.

Cities keep naming their hub by key (`cities.hub`), so nothing that reads it changes; every hub
already named by a city gets its row, named by its key until an administrator renames it.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    hubs = op.create_table(
        "hubs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hubs")),
        sa.UniqueConstraint("key", name=op.f("uq_hubs_key")),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False, comment="Where the notifications helper sends it"),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_invitations_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_invitations_secret_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_user_id"), ["user_id"], unique=False)
    named = op.get_bind().execute(sa.text("SELECT DISTINCT hub FROM cities WHERE hub <> ''")).scalars().all()
    now = datetime.now(UTC)
    rows = [{"key": k, "name": k, "country": "", "created_at": now, "version": 1} for k in sorted(named)]
    if rows:
        op.bulk_insert(hubs, rows)


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_user_id"))
    op.drop_table("invitations")
    op.drop_table("hubs")

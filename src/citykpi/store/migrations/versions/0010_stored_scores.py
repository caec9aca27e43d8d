"""Periods keep their scores: each result its points, each group of data points its score and coverage.

Derived from the results like the completion figures of 0002: the application fills them when it writes
results, and `citykpi db upgrade` (which `citykpi serve` runs too) scores the periods stored before
this revision (`citykpi.platform.scores.backfill`).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COMPLETION = "Completion figures, refreshed when results or reviews change (derived, not audited)"
REVISION = "Committed transactions that audited a change of the period; caches of its pages key on it"


def upgrade() -> None:
    op.create_table(
        "scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="Order in the scorecard: the city first"),
        sa.Column("level", sa.String(length=20), nullable=False, comment="city, dimension, subdimension or category"),
        sa.Column("dimension", sa.String(length=100), nullable=False),
        sa.Column("subdimension", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False, comment="Data points of the framework in the group"),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("band", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_scores_period_id_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scores")),
        sa.UniqueConstraint("period_id", "position", name=op.f("uq_scores_period_id")),
    )
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scores_period_id"), ["period_id"], unique=False)

    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scored_with",
                sa.String(length=64),
                nullable=True,
                comment="Fingerprint of the targets and rules its stored scores were computed with; NULL: none",
            )
        )

    if op.get_bind().dialect.name == "postgresql":  # SQLite keeps no comments; 0002 and 0004 wrote none
        for column, kind, nullable, comment in (
            ("completion", sa.JSON(), True, COMPLETION),
            ("revision", sa.Integer(), False, REVISION),
        ):
            op.alter_column("periods", column, comment=comment, existing_type=kind, existing_nullable=nullable)

    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "standing", sa.String(length=20), nullable=True, comment="scored, not reported, no benchmark, ..."
            )
        )
        batch_op.add_column(sa.Column("benchmarked", sa.Boolean(), nullable=True, comment="A usable target applies"))
        batch_op.add_column(sa.Column("percent", sa.Float(), nullable=True, comment="Percent of the target reached"))
        batch_op.add_column(sa.Column("band", sa.Integer(), nullable=True, comment="Points, 1-4; NULL when not scored"))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of periods or results would drop
    # tables that other tables' foreign keys name, which SQLite refuses with its foreign keys on.
    for column in ("band", "percent", "benchmarked", "standing"):
        op.drop_column("results", column)
    op.drop_column("periods", "scored_with")
    op.drop_index(op.f("ix_scores_period_id"), table_name="scores")
    op.drop_table("scores")

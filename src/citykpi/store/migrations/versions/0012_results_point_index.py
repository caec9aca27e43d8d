"""An index of results by KPI data point that holds the value.

A KPI page's peer-group charts read one data point of every city of a group. Through the unique key
(period, code, data point) SQLite sought each period's row, then read the row from the table for its
value; this index answers the query from one range of itself.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_results_point_value", "results", ["code", "data_point", "period_id", "value"])


def downgrade() -> None:
    op.drop_index("ix_results_point_value", table_name="results")

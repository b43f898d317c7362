"""feedback: one row per (startup, tender, verdict), so posting the same verdict twice is idempotent

Duplicates left by earlier versions are folded into the newest row of each triple first.

Revision ID: 0007_api_shape
Revises: 0004_trust
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_api_shape"
down_revision = "0004_trust"
branch_labels = None
depends_on = None

NAME = "uq_feedback_startup_tender_verdict"


def upgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM feedback WHERE id NOT IN "
            "(SELECT MAX(id) FROM feedback GROUP BY startup_id, tender_id, verdict)"
        )
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_unique_constraint(NAME, ["startup_id", "tender_id", "verdict"])


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(NAME, type_="unique")

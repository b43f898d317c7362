"""startup tools: saved searches and their sent alerts, bid pipeline and its deadline reminders

Revision ID: 0005_startup_tools
Revises: 0007_api_shape
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_startup_tools"
down_revision = "0007_api_shape"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("startup_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("feed_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("last_run_at", _WHEN, nullable=True),
        sa.Column("last_sent_at", _WHEN, nullable=True),
        sa.Column("unsubscribed_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(["startup_id"], ["startups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_saved_searches_feed_token"), "saved_searches", ["feed_token"], unique=True)
    op.create_index(op.f("ix_saved_searches_startup_id"), "saved_searches", ["startup_id"], unique=False)
    op.create_table(
        "alert_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("saved_search_id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("sent_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["saved_search_id"], ["saved_searches.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("saved_search_id", "tender_id"),
    )
    op.create_index(op.f("ix_alert_items_saved_search_id"), "alert_items", ["saved_search_id"], unique=False)
    op.create_index(op.f("ix_alert_items_tender_id"), "alert_items", ["tender_id"], unique=False)
    op.create_table(
        "bids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("startup_id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["startup_id"], ["startups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("startup_id", "tender_id"),
    )
    op.create_index(op.f("ix_bids_startup_id"), "bids", ["startup_id"], unique=False)
    op.create_index(op.f("ix_bids_tender_id"), "bids", ["tender_id"], unique=False)
    op.create_table(
        "bid_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sent_at", _WHEN, nullable=False),
        sa.Column("days_left", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bid_id", "kind"),
    )
    op.create_index(op.f("ix_bid_reminders_bid_id"), "bid_reminders", ["bid_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_bid_reminders_bid_id"), table_name="bid_reminders")
    op.drop_table("bid_reminders")
    op.drop_index(op.f("ix_bids_tender_id"), table_name="bids")
    op.drop_index(op.f("ix_bids_startup_id"), table_name="bids")
    op.drop_table("bids")
    op.drop_index(op.f("ix_alert_items_tender_id"), table_name="alert_items")
    op.drop_index(op.f("ix_alert_items_saved_search_id"), table_name="alert_items")
    op.drop_table("alert_items")
    op.drop_index(op.f("ix_saved_searches_startup_id"), table_name="saved_searches")
    op.drop_index(op.f("ix_saved_searches_feed_token"), table_name="saved_searches")
    op.drop_table("saved_searches")

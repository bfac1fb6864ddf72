"""Commune officers' workspace: web users, sessions, login throttle; triage columns on reports;
report status ``seen`` renamed ``acknowledged`` (data included); history event kinds; optional
village positions for the map.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_STATUSES = "status IN ('new', 'acknowledged', 'in_progress', 'resolved', 'rejected')"
OLD_STATUSES = "status IN ('new', 'seen', 'in_progress', 'resolved', 'rejected')"
KINDS = "kind IN ('status', 'assign', 'note', 'reply')"


def _rename_status(old: str, new: str, check: str) -> None:
    """Swap the status CHECK on reports and report_events, moving rows from old to new."""
    for table in ("reports", "report_events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_status"), type_="check")
        op.get_bind().execute(
            sa.text(f"UPDATE {table} SET status = :new WHERE status = :old"),  # noqa: S608
            {"new": new, "old": old},
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_status"), check)


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("commune_code", sa.String(length=16), nullable=True),
        sa.Column("village_id", sa.String(length=128), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('officer', 'admin', 'head')", name=op.f("ck_web_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_users")),
        sa.UniqueConstraint("username", name=op.f("uq_web_users_username")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_users.id"],
            name=op.f("fk_web_sessions_user_id_web_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)

    _rename_status("seen", "acknowledged", NEW_STATUSES)

    with op.batch_alter_table("report_events", schema=None) as batch_op:
        # Every event before this revision was a status change.
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="status")
        )
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=True))
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.create_check_constraint(op.f("ck_report_events_kind"), KINDS)

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_reports_status_created_at", ["status", "created_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_assigned_to_web_users"),
            "web_users",
            ["assigned_to"],
            ["id"],
            ondelete="SET NULL",
        )

    # The queue's order (flagged, urgency with no-urgency last, oldest), PostgreSQL only, as
    # in the models (SQLite refuses NULLS LAST in an index; the embedded store is small).
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_reports_queue",
            "reports",
            [
                "commune_code",
                sa.text("flagged DESC"),
                sa.text("urgency DESC NULLS LAST"),
                "created_at",
                "id",
            ],
            unique=False,
        )

    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lon", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.drop_column("lon")
        batch_op.drop_column("lat")

    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_reports_queue", table_name="reports")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_assigned_to_web_users"), type_="foreignkey")
        batch_op.drop_index("ix_reports_status_created_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("acknowledged_by")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("assigned_to")

    # Notes, assignments and replies have no place in the old history: they go.
    op.get_bind().execute(sa.text("DELETE FROM report_events WHERE kind <> 'status'"))
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_report_events_kind"), type_="check")
        batch_op.drop_column("detail")
        batch_op.drop_column("kind")

    _rename_status("acknowledged", "seen", OLD_STATUSES)

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_sessions_expires_at"))
    op.drop_table("web_sessions")
    op.drop_table("web_users")
    op.drop_table("login_throttle")

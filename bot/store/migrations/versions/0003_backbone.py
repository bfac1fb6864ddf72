"""The backbone: one name per notion (adapter / rendering / scheme), outbound rows that can be
re-sent from the row, durable after-commit jobs, roles with a place, one-time role codes, the
audit log and the inbound message log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_OLD = "role IN ('resident', 'village_head', 'officer', 'admin')"
ROLES_NEW = "role IN ('resident', 'head', 'officer', 'admin')"
STATUS_OLD = "status IN ('queued', 'sent', 'delivered', 'failed', 'read')"
STATUS_NEW = (
    "status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown', 'skipped')"
)
KINDS = "kind IN ('reply', 'alert', 'status', 'officer_reply', 'notice', 'system')"
# contact_urns.channel held what the inbound said: an adapter name, or "sms" / "tel".
URN_ADAPTER = {"telegram": "telegram", "zalo": "zalo", "zalo_bot": "zalo_bot", "sim": "sim"}
RENDERING = {"telegram": "telegram", "zalo": "zalo", "zalo_bot": "zalo", "sim": "telegram"}


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_events_target_at", ["target", "at"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("lane", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lane IN ('reply', 'bulk')", name=op.f("ck_jobs_lane")),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed')", name=op.f("ck_jobs_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_run_at", ["status", "run_at"], unique=False)

    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("adapter", sa.String(length=32), nullable=False),
        sa.Column("urn", sa.String(length=255), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("button", sa.String(length=64), nullable=True),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_inbound_messages_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_messages_contact_id_at", ["contact_id", "at"], unique=False
        )

    op.create_table(
        "role_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("commune_code", sa.String(length=16), nullable=True),
        sa.Column("village_id", sa.String(length=128), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("issued_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["contacts.id"],
            name=op.f("fk_role_codes_used_by_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_role_codes_code_hash")),
    )

    # contacts: roles with a place; "village_head" is now "head".
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role_commune", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("role_village", sa.String(length=128), nullable=True))
        batch_op.drop_constraint(op.f("ck_contacts_role"), type_="check")
    op.execute("UPDATE contacts SET role = 'head' WHERE role = 'village_head'")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_contacts_role"), ROLES_NEW)

    # contact_urns: channel -> scheme (the URN's own) + adapter (what carried it last).
    with op.batch_alter_table("contact_urns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheme", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("adapter", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("rendering", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    conn = op.get_bind()
    urns = sa.table(
        "contact_urns",
        sa.column("urn", sa.String),
        sa.column("channel", sa.String),
        sa.column("scheme", sa.String),
        sa.column("adapter", sa.String),
        sa.column("rendering", sa.String),
    )
    for urn, channel in conn.execute(sa.select(urns.c.urn, urns.c.channel)).all():
        conn.execute(
            urns.update()
            .where(urns.c.urn == urn)
            .values(
                scheme=urn.partition(":")[0],
                adapter=URN_ADAPTER.get(channel),
                rendering=RENDERING.get(channel) if channel == "sim" else None,
            )
        )
    with op.batch_alter_table("contact_urns", schema=None) as batch_op:
        batch_op.alter_column("scheme", existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_column("channel")

    # outbound_messages: channel (it held the adapter's name) -> adapter; rows re-sendable.
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_messages_channel_external_id")
        batch_op.alter_column(
            "channel", new_column_name="adapter", existing_type=sa.String(length=32)
        )
        batch_op.add_column(sa.Column("rendering", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("buttons", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("request", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("meta", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_outbound_messages_status"), type_="check")
    op.execute(
        "UPDATE outbound_messages SET kind = 'reply', buttons = '[]', meta = '{}', rendering = "
        "CASE WHEN adapter IN ('twilio_sms', 'android_sms') THEN 'sms' "
        "WHEN adapter IN ('zalo', 'zalo_bot') THEN 'zalo' ELSE 'telegram' END"
    )
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        for name in ("rendering", "kind"):
            batch_op.alter_column(name, existing_type=sa.String(length=16), nullable=False)
        for name in ("buttons", "meta"):
            batch_op.alter_column(name, existing_type=sa.JSON(), nullable=False)
        batch_op.create_check_constraint(op.f("ck_outbound_messages_status"), STATUS_NEW)
        batch_op.create_check_constraint(op.f("ck_outbound_messages_kind"), KINDS)
        batch_op.create_unique_constraint(
            op.f("uq_outbound_messages_idempotency_key"), ["idempotency_key"]
        )
        batch_op.create_index(
            "ix_outbound_messages_adapter_external_id", ["adapter", "external_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbound_messages_status_updated_at", ["status", "updated_at"], unique=False
        )
        batch_op.create_index("ix_outbound_messages_urn_id", ["urn", "id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM outbound_messages WHERE status IN ('sending', 'unknown', 'skipped')")
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_messages_urn_id")
        batch_op.drop_index("ix_outbound_messages_status_updated_at")
        batch_op.drop_index("ix_outbound_messages_adapter_external_id")
        batch_op.drop_constraint(op.f("uq_outbound_messages_idempotency_key"), type_="unique")
        batch_op.drop_constraint(op.f("ck_outbound_messages_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_outbound_messages_status"), type_="check")
        for name in ("not_before", "idempotency_key", "meta", "request", "buttons", "kind"):
            batch_op.drop_column(name)
        batch_op.drop_column("rendering")
        batch_op.alter_column(
            "adapter", new_column_name="channel", existing_type=sa.String(length=32)
        )
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_outbound_messages_status"), STATUS_OLD)
        batch_op.create_index(
            "ix_outbound_messages_channel_external_id", ["channel", "external_id"], unique=False
        )

    with op.batch_alter_table("contact_urns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=32), nullable=True))
    op.execute("UPDATE contact_urns SET channel = COALESCE(adapter, scheme)")
    with op.batch_alter_table("contact_urns", schema=None) as batch_op:
        batch_op.alter_column("channel", existing_type=sa.String(length=32), nullable=False)
        for name in ("last_seen_at", "rendering", "adapter", "scheme"):
            batch_op.drop_column(name)

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contacts_role"), type_="check")
        batch_op.drop_column("role_village")
        batch_op.drop_column("role_commune")
    op.execute("UPDATE contacts SET role = 'village_head' WHERE role = 'head'")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_contacts_role"), ROLES_OLD)

    op.drop_table("role_codes")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_messages_contact_id_at")
    op.drop_table("inbound_messages")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_run_at")
    op.drop_table("jobs")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_target_at")
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
    op.drop_table("audit_events")

"""Initial schema: contacts and URNs, places, reports and their history, subscriptions,
eligibility checks.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "communes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("province", sa.String(length=200), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("area_type", sa.String(length=16), nullable=False),
        sa.Column("area_confidence", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_communes")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("village_id", sa.String(length=128), nullable=True),
        sa.Column("notice_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('resident', 'village_head', 'officer', 'admin')",
            name=op.f("ck_contacts_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_village_id"), ["village_id"], unique=False)

    op.create_table(
        "commune_predecessors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("former_name", sa.String(length=200), nullable=False),
        sa.Column("former_district", sa.String(length=200), nullable=False),
        sa.Column("commune_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["communes.code"],
            name=op.f("fk_commune_predecessors_commune_code_communes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune_predecessors")),
        sa.UniqueConstraint(
            "former_name",
            "former_district",
            "commune_code",
            name=op.f("uq_commune_predecessors_former_name_former_district_commune_code"),
        ),
    )
    with op.batch_alter_table("commune_predecessors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commune_predecessors_commune_code"), ["commune_code"], unique=False
        )

    op.create_table(
        "contact_urns",
        sa.Column("urn", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_urns_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("urn", name=op.f("pk_contact_urns")),
    )
    with op.batch_alter_table("contact_urns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_urns_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "eligibility_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("standard", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("income", sa.BigInteger(), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=True),
        sa.Column("deprived", sa.JSON(), nullable=False),
        sa.Column("klass", sa.String(length=32), nullable=False),
        sa.Column("village_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_eligibility_checks_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_checks")),
    )
    with op.batch_alter_table("eligibility_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eligibility_checks_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("subtype", sa.String(length=64), nullable=True),
        sa.Column("village_id", sa.String(length=128), nullable=True),
        sa.Column("commune_code", sa.String(length=16), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("urgency", sa.Integer(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'seen', 'in_progress', 'resolved', 'rejected')",
            name=op.f("ck_reports_status"),
        ),
        sa.CheckConstraint(
            "type IN ('eligibility_request', 'household_change', 'disaster', 'handover')",
            name=op.f("ck_reports_type"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_reports_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("ref", name=op.f("uq_reports_ref")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_commune_code_status", ["commune_code", "status"], unique=False
        )
        batch_op.create_index(
            "ix_reports_contact_id_created_at", ["contact_id", "created_at"], unique=False
        )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "topic IN ('loans', 'disaster_warnings', 'village_notices')",
            name=op.f("ck_subscriptions_topic"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_subscriptions_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("contact_id", "topic", name=op.f("uq_subscriptions_contact_id_topic")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_subscriptions_topic_active", ["topic", "active"], unique=False)

    op.create_table(
        "villages",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("commune_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("village_type", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"], ["communes.code"], name=op.f("fk_villages_commune_code_communes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_villages")),
    )
    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_villages_commune_code"), ["commune_code"], unique=False
        )

    op.create_table(
        "report_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'seen', 'in_progress', 'resolved', 'rejected')",
            name=op.f("ck_report_events_status"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_events_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
    )
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.create_index("ix_report_events_report_id_at", ["report_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_index("ix_report_events_report_id_at")

    op.drop_table("report_events")
    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_villages_commune_code"))

    op.drop_table("villages")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_topic_active")

    op.drop_table("subscriptions")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_contact_id_created_at")
        batch_op.drop_index("ix_reports_commune_code_status")

    op.drop_table("reports")
    with op.batch_alter_table("eligibility_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eligibility_checks_contact_id"))

    op.drop_table("eligibility_checks")
    with op.batch_alter_table("contact_urns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_urns_contact_id"))

    op.drop_table("contact_urns")
    with op.batch_alter_table("commune_predecessors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_predecessors_commune_code"))

    op.drop_table("commune_predecessors")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_village_id"))

    op.drop_table("contacts")
    op.drop_table("communes")

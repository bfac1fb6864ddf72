"""Notices from village heads, officers and admins; each outbound message knows its notice.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=128), nullable=False),
        sa.Column("sender_contact_id", sa.Integer(), nullable=True),
        sa.Column("sender_role", sa.String(length=16), nullable=False),
        sa.Column("commune_code", sa.String(length=16), nullable=True),
        sa.Column("village_ids", sa.JSON(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ask_safety", sa.Boolean(), nullable=False),
        sa.Column("unaccented", sa.Boolean(), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('scheduled', 'planning', 'sending', 'done', 'cancelled')",
            name=op.f("ck_notices_status"),
        ),
        sa.CheckConstraint(
            "topic IN ('loans', 'disaster_warnings', 'village_notices')",
            name=op.f("ck_notices_topic"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_contact_id"],
            ["contacts.id"],
            name=op.f("fk_notices_sender_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_status_send_at", ["status", "send_at"], unique=False)
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_outbound_messages_notice_id_notices"),
            "notices",
            ["notice_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "ix_outbound_messages_notice_id_status", ["notice_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_messages_notice_id_status")
        batch_op.drop_constraint(op.f("fk_outbound_messages_notice_id_notices"), type_="foreignkey")
        batch_op.drop_column("notice_id")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_status_send_at")
    op.drop_table("notices")

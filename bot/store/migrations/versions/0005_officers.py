"""Officers on their phones: a workspace account linked to its chat contact (alerts), an
officer's conversation with a resident about a report, alert and answer history events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_OLD = "kind IN ('status', 'assign', 'note', 'reply')"
KINDS_NEW = "kind IN ('status', 'assign', 'note', 'reply', 'alert', 'answer')"


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("talking_ref", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("talking_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("web_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_web_users_contact_id_contacts"),
            "contacts",
            ["contact_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_report_events_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_report_events_kind"), KINDS_NEW)


def downgrade() -> None:
    op.execute("DELETE FROM report_events WHERE kind IN ('alert', 'answer')")
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_report_events_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_report_events_kind"), KINDS_OLD)
    with op.batch_alter_table("web_users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_web_users_contact_id_contacts"), type_="foreignkey")
        batch_op.drop_column("contact_id")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("talking_until")
        batch_op.drop_column("talking_ref")

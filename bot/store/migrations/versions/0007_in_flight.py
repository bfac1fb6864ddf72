"""Which bulk message was in flight when its sender died (so a summary can say how many may
have gone twice); an index for the pumps' claims and one for a commune's notices.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_BULK = "priority = 'bulk' AND status IN ('queued', 'sending')"


def upgrade() -> None:
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_flight_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("maybe_twice", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_outbound_messages_open_bulk", "outbound_messages", ["adapter", "id"],
        postgresql_where=sa.text(OPEN_BULK), sqlite_where=sa.text(OPEN_BULK),
    )  # fmt: skip
    op.create_index("ix_notices_commune_code_created_at", "notices", ["commune_code", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_notices_commune_code_created_at", table_name="notices")
    op.drop_index("ix_outbound_messages_open_bulk", table_name="outbound_messages")
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_column("maybe_twice")
        batch_op.drop_column("in_flight_at")

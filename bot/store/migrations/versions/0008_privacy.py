"""Personal data (Decree 13/2023): the consent a contact gave at first contact (text version
and time), when a contact's data was erased, when a report was anonymised.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_version", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("consent_at")
        batch_op.drop_column("consent_version")

"""messages edited in place: the id a channel gave a sent message, and what an edit replaces

A proposal shown in a Telegram chat is rewritten when another commune answers it: the
outbox keeps the message id Telegram gave each message it sent, and an edit names the
outbox message whose text it replaces.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_as", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("edits", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("edits")
        batch_op.drop_column("shown_as")

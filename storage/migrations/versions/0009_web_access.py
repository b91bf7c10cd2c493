"""the shared page: one-time links, sessions, and the log of coordinators' actions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _secret_table(name: str, *extra: sa.Column[object]) -> None:
    """A table of secrets kept as digests, each owned by a member."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        *extra,
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f(f"fk_{name}_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("digest", name=op.f(f"uq_{name}_digest")),
    )


def upgrade() -> None:
    """Upgrade schema."""
    _secret_table("web_links", sa.Column("used_at", sa.DateTime(timezone=True), nullable=True))
    _secret_table("web_sessions", sa.Column("form_token", sa.String(length=64), nullable=False))
    op.create_table(
        "action_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_action_log_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_action_log_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_log")),
    )
    with op.batch_alter_table("action_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_log_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("action_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_log_member_id"))
    op.drop_table("action_log")
    op.drop_table("web_sessions")
    op.drop_table("web_links")

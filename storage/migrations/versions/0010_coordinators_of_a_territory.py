"""a coordinator belongs to a territory, not to a commune

Members and invitations name their territory; a coordinator's commune is dropped (it was
only the way to reach the territory, and made them answer for that commune).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("members", "invitations")
# Each row's territory: the one of the commune it was registered under.
TERRITORY_OF_COMMUNE = (
    "UPDATE {table} SET territory_id = (SELECT communes.territory_id FROM communes "
    "WHERE communes.insee = {table}.commune_insee)"
)
# Going back, a coordinator is put under the first commune of their territory again.
FIRST_COMMUNE = (
    "UPDATE {table} SET commune_insee = (SELECT MIN(communes.insee) FROM communes "
    "WHERE communes.territory_id = {table}.territory_id) WHERE commune_insee IS NULL"
)


def upgrade() -> None:
    """Upgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("territory_id", sa.Integer(), nullable=True))
            batch_op.alter_column("commune_insee", existing_type=sa.String(length=5), nullable=True)
        op.execute(TERRITORY_OF_COMMUNE.format(table=table))
        op.execute(f"UPDATE {table} SET commune_insee = NULL WHERE role = 'coordinator'")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("territory_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_territory_id_territories"),
                "territories",
                ["territory_id"],
                ["id"],
            )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_members_territory_id"), ["territory_id"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_territory_id"))
    for table in TABLES:
        op.execute(FIRST_COMMUNE.format(table=table))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_territory_id_territories"), type_="foreignkey"
            )
            batch_op.alter_column(
                "commune_insee", existing_type=sa.String(length=5), nullable=False
            )
            batch_op.drop_column("territory_id")

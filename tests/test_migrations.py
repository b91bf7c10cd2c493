"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Base
from storage.schema import alembic_config, current_revision, upgrade


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    await upgrade(engine)
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == [], "models changed without a migration: write one"


async def test_downgrade_to_nothing_and_back(engine: AsyncEngine) -> None:
    await upgrade(engine)

    def downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    async with engine.begin() as connection:
        await connection.run_sync(downgrade)
    assert await current_revision(engine) is None
    await upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_messages_queued_before_notices_keep_what_they_asked(engine: AsyncEngine) -> None:
    """The outbox of a version that rendered for each channel: what its messages asked
    becomes actions, and the unsent ones lose the markup each channel now adds itself."""
    async with engine.begin() as connection:
        await connection.run_sync(_to("0006"))
        now = dt.datetime(2027, 5, 3, 9)
        rows = [
            ("telegram", "sent", "<b>Proposition n° 3</b>\nOK", '{"proposal": 3}', None),
            ("telegram", "pending", "<b>Proposition n° 4</b>\nA &amp; B", '{"proposal": 4}', None),
            ("email", "sent", "Bonjour,\n\nvieux\n\n-- \nmutualise", '{"X-Mutualise-Proposal": "3"}', "<p>x</p>"),
            ("email", "pending", "Bonjour,\n\nLa fête revient ?\n\nRépondez à ce message par « oui »…\n\n-- \nmutualise",
             '{"X-Mutualise-Anticipation": "7"}', None),
        ]  # fmt: skip
        for channel, status, body, headers, html in rows:
            await connection.execute(
                text(
                    "INSERT INTO outbox (channel, recipient, body, html, headers, status, "
                    "attempts, next_attempt_at, created_at) VALUES (:c, 'x', :b, :h, :hd, :s, 0, "
                    ":t, :t)"
                ),
                {"c": channel, "b": body, "h": html, "hd": headers, "s": status, "t": now},
            )
        await connection.run_sync(_to("head"))
        found = (
            await connection.execute(text("SELECT body, headers, actions FROM outbox ORDER BY id"))
        ).all()

    def plain(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    assert [(body, plain(headers), plain(actions)) for body, headers, actions in found] == [
        ("<b>Proposition n° 3</b>\nOK", None, [{"kind": "answer_proposal", "target": 3}]),
        ("Proposition n° 4\nA & B", None, [{"kind": "answer_proposal", "target": 4}]),
        ("Bonjour,\n\nvieux\n\n-- \nmutualise", None, [{"kind": "answer_proposal", "target": 3}]),
        ("La fête revient ?", None, [{"kind": "answer_anticipation", "target": 7}]),
    ]


async def test_coordinators_registered_under_a_commune_belong_to_its_territory(
    engine: AsyncEngine,
) -> None:
    """A store of 0009, where a coordinator was a member of a commune: upgraded, they belong
    to its territory and to no commune, keeping their addresses, links and logged actions
    (SQLite rebuilds the table: nothing that refers to it is lost)."""
    async with engine.begin() as connection:
        await connection.run_sync(_to("0009"))
        now = dt.datetime(2027, 5, 3, 9)
        statements = [
            "INSERT INTO territories (id, epci, name, kind, source) VALUES "
            "(7, '200042174', 'Lorient Agglomération', 'CA', 'test')",
            "INSERT INTO communes (insee, territory_id, name, population) VALUES "
            "('56121', 7, 'Lorient', 57000)",
            "INSERT INTO members (id, commune_insee, role, active, created_at) VALUES "
            "(1, '56121', 'coordinator', true, :t), (2, '56121', 'correspondent', true, :t)",
            "INSERT INTO member_emails (id, member_id, address) VALUES (1, 1, 'lou@agglo.example')",
            "INSERT INTO web_links (id, member_id, digest, created_at, expires_at) VALUES "
            "(1, 1, 'd', :t, :t)",
            "INSERT INTO action_log (id, member_id, action, detail, at) VALUES "
            "(1, 1, 'launch', 'x', :t)",
            "INSERT INTO invitations (code, commune_insee, role, created_at, expires_at) VALUES "
            "('c1', '56121', 'coordinator', :t, :t), ('c2', '56121', 'correspondent', :t, :t)",
        ]
        for statement in statements:
            await connection.execute(text(statement), {"t": now})
    await upgrade(engine)
    async with engine.connect() as connection:
        members = (
            await connection.execute(
                text("SELECT id, territory_id, commune_insee FROM members ORDER BY id")
            )
        ).all()
        invitations = (
            await connection.execute(
                text("SELECT code, territory_id, commune_insee FROM invitations ORDER BY code")
            )
        ).all()
        kept = [
            (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar()
            for table in ("member_emails", "web_links", "action_log")
        ]
    assert [tuple(m) for m in members] == [(1, 7, None), (2, 7, "56121")]
    assert [tuple(i) for i in invitations] == [("c1", 7, None), ("c2", 7, "56121")]
    assert kept == [1, 1, 1]


def _to(revision: str) -> Any:
    """Upgrade a connection to `revision`."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return run

"""neutral notices in the outbox: the actions a message invites, and a chat's brief

The outbox held messages already rendered for their channel (Telegram HTML, mail text with
its greeting and signature) and marked the answers they invited with header keys. It now
holds notices each channel renders when sending; the messages a previous version queued and
did not send yet are brought to that form, and the marks of every message (sent ones too:
someone may answer an old proposal by mail) become actions.

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-12

"""

import html
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The header keys that marked what a message asked, and the action each now is.
MARKS = {
    "proposal": "answer_proposal",
    "X-Mutualise-Proposal": "answer_proposal",
    "anticipation": "answer_anticipation",
    "X-Mutualise-Anticipation": "answer_anticipation",
}
GREETING = "Bonjour,\n\n"
SIGNATURES = ("\n\n-- \nmutualise, l'outil de mutualisation de votre intercommunalité",
              "\n\n-- \nmutualise")  # fmt: skip
UNSENT = ("pending", "failed")

outbox = sa.table(
    "outbox",
    sa.column("id", sa.Integer),
    sa.column("channel", sa.String),
    sa.column("status", sa.String),
    sa.column("body", sa.Text),
    sa.column("html", sa.Text),
    sa.column("headers", sa.JSON),
    sa.column("actions", sa.JSON),
    sa.column("in_reply_to", sa.Integer),
)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("brief", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("actions", sa.JSON(), nullable=True))
    connection = op.get_bind()
    columns = ("id", "channel", "status", "body", "html", "headers", "in_reply_to")
    rows = connection.execute(sa.select(*(outbox.c[name] for name in columns))).all()
    for row in rows:
        changes = _neutral(row)
        if changes:
            connection.execute(outbox.update().where(outbox.c.id == row.id).values(**changes))


def _neutral(row: Any) -> dict[str, Any]:
    """What changes in one message: its marks become actions; unsent, its text is plain."""
    headers = dict(row.headers or {})
    marked = [k for k in headers if k in MARKS and str(headers[k]).isdigit()]
    actions = [{"kind": MARKS[k], "target": int(headers.pop(k))} for k in marked]
    changes: dict[str, Any] = {}
    if actions:
        changes.update(actions=actions, headers=headers or None)
    if row.status not in UNSENT or row.html:
        return changes  # sent, or a whole document (a digest, a proposal mail): left as it is
    body = row.body
    if row.channel == "telegram":
        body = html.unescape(re.sub(r"<[^>]+>", "", body))
    body = body.removeprefix(GREETING) if row.in_reply_to is None else body
    for signature in SIGNATURES:
        body = body.removesuffix(signature)
    if any(a["kind"] == "answer_anticipation" for a in actions):
        body = body.split("\n\nRépondez à ce message", 1)[0]
    if body != row.body:
        changes["body"] = body
    return changes


def downgrade() -> None:
    """Downgrade schema: the actions go back to the header marks of each channel."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.channel, outbox.c.headers, outbox.c.actions)
        .where(outbox.c.actions.is_not(None))
    ).all()  # fmt: skip
    telegram = {"answer_proposal": "proposal", "answer_anticipation": "anticipation"}
    email = {"answer_proposal": "X-Mutualise-Proposal",
             "answer_anticipation": "X-Mutualise-Anticipation"}  # fmt: skip
    for row in rows:
        names = telegram if row.channel == "telegram" else email
        headers = dict(row.headers or {})
        for action in row.actions or []:
            if action.get("kind") in names:
                headers[names[action["kind"]]] = str(action["target"])
        connection.execute(outbox.update().where(outbox.c.id == row.id).values(headers=headers))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("actions")
        batch_op.drop_column("brief")

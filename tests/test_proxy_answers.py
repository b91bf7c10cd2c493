"""Answering for the territory from the page, through aiohttp's test client on a real store
(SQLite file, and PostgreSQL when it is given): a coordinator accepts or refuses a pending
proposal for a commune of their territory that has not answered, by the commune's own path
(a loan confirmed once both have accepted, a refusal matched again), logged with who and for
which commune, told to the communes (by the real SMTP relay on loopback; the chat's message
rewritten); and refused for another territory, a closed or answered proposal, a form without
its token, a correspondent, and the second of two coordinators answering at once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.web.app import WebConfig, make_app
from storage.members import add_member
from storage.models import (
    ActionEntry,
    Answer,
    Channel,
    Commune,
    Offer,
    OfferStatus,
    OutboxMessage,
    Proposal,
    ProposalKind,
    ProposalParticipant,
    ProposalStatus,
    Role,
)
from tests.test_order_news import (
    OTHER_COORDINATOR,
    both,
    mails,
    plain,
    read,
    second_coordinator,
    two_apps,
)
from tests.test_web import (
    COORDINATOR,
    CORRESPONDENT,
    NOW,
    STRANGER,
    Client,
    body,
    group_order,
    log_in,
    territory,
)

RIANTEC_CHAT = 4004  # a correspondent of Riantec on Telegram, beside Anne by email
LORIENT_MAIL = "st@lorient.bzh"  # who offered Lorient's barriers by email
BY_LOU = "Par Lou (coordination, Lorient Agglomération), le 1er juin 2027."


async def pending(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The scenario with its loan unanswered, and a Telegram correspondent of Riantec."""
    async with sessions.begin() as session:
        riantec = await session.get(Commune, "56193")
        assert riantec is not None
        await add_member(session, riantec, Role.CORRESPONDENT, telegram_id=RIANTEC_CHAT)
    await territory(sessions, accept=False)


@pytest.fixture
async def client(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Client]:
    await pending(sessions)
    app = make_app(WebConfig(sessions, lambda: NOW, secure=False))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def loan(sessions: async_sessionmaker[AsyncSession], lender: str = "56121") -> Proposal:
    async with sessions() as session:
        found = await session.scalar(
            select(Proposal)
            .join(ProposalParticipant)
            .where(Proposal.kind == ProposalKind.LOAN, ProposalParticipant.commune_insee == lender)
        )
        assert found is not None
        return found


async def answers(sessions: async_sessionmaker[AsyncSession], proposal_id: int) -> dict[str, str]:
    async with sessions() as session:
        rows = await session.execute(
            select(ProposalParticipant.commune_insee, ProposalParticipant.answer).where(
                ProposalParticipant.proposal_id == proposal_id
            )
        )
        return {insee: answer.value for insee, answer in rows}


async def logged(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, int | None]]:
    async with sessions() as session:
        rows = await session.execute(
            select(ActionEntry.action, ActionEntry.detail, ActionEntry.proposal_id).order_by(
                ActionEntry.id
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def answer(form: str, commune: str, verdict: str) -> dict[str, str]:
    return {"jeton": form, "commune": commune, "reponse": verdict}


async def test_a_coordinator_accepts_a_loan_for_each_commune(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, COORDINATOR)
    found = await loan(sessions)
    url = f"/propositions/{found.id}"
    text = await body(await client.get("/"))
    assert f'<td><a href="{url}">{found.id}</a></td>' in text
    assert "le numéro mène aux réponses des communes, où répondre pour l'une d'elles" in text
    text = await body(await client.get(url))
    assert f"Proposition de prêt n° {found.id}" in text and "en attente de réponse" in text
    assert "<td>Riantec</td><td>emprunte</td><td>n'a pas encore répondu</td>" in text
    assert "Accepter pour Lorient</button>" in text and "Refuser pour Riantec</button>" in text

    done = await client.post(f"{url}/repondre", data=answer(form, "56193", "accepte"))
    assert done.status == 200 and "Réponse enregistrée : acceptée" in await body(done)
    assert await answers(sessions, found.id) == {"56121": "pending", "56193": "accepted"}
    assert (await loan(sessions)).status is ProposalStatus.PROPOSED
    assert await logged(sessions) == [
        ("repondre:56193", f"Proposition de prêt n° {found.id} : acceptée pour Riantec.", found.id)
    ]
    text = await body(await client.get(url))
    assert (
        "a accepté, réponse donnée pour elle par Lou (Lorient Agglomération) le 1er juin 2027"
        in text
    )
    assert "Accepter pour Riantec" not in text and "Accepter pour Lorient</button>" in text
    # The same answer again (a form sent twice): refused, nothing done twice.
    again = await client.post(f"{url}/repondre", data=answer(form, "56193", "refuse"))
    assert again.status == 400
    assert f"Riantec a déjà accepté la proposition n° {found.id} : Lou (Lorient " \
        "Agglomération) a répondu pour elle le 1er juin 2027 ; rien n'a été refait." \
        in await body(again)  # fmt: skip
    # Riantec's chat shows the proposal rewritten: who answered for it, and where it stands.
    async with sessions() as session:
        edits = list(await session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.recipient == str(RIANTEC_CHAT),
                                             OutboxMessage.edits.is_not(None))
        ))  # fmt: skip
    assert len(edits) == 1
    assert "Réponse de Riantec donnée par la coordination : acceptée par Lou (coordination, " \
        "Lorient Agglomération), le 1er juin 2027." in edits[0]  # fmt: skip
    assert "Riantec a accepté ; on attend Lorient." in edits[0]

    confirmed = await client.post(f"{url}/repondre", data=answer(form, "56121", "accepte"))
    assert confirmed.status == 200
    assert (await loan(sessions)).status is ProposalStatus.ACCEPTED
    text = await body(await client.get(url))
    assert "État : confirmée." in text and "Répondre pour une commune" not in text
    # Each commune hears, once, by email, that the coordination answered for it.
    found_mails = await mails(sessions)
    subject = f"Proposition de prêt n° {found.id} : réponse de la coordination pour "
    to_anne = [read(m) for r, m in found_mails if r == CORRESPONDENT
               and str(m["Subject"]).startswith(subject)]  # fmt: skip
    assert len(to_anne) == 2
    first = next(t for t in to_anne if "pour votre commune, Riantec," in t)
    assert f"La coordination a accepté pour votre commune, Riantec, la proposition de prêt " \
        f"n° {found.id}, à laquelle Riantec n'avait pas encore répondu." in first  # fmt: skip
    assert BY_LOU in first and "Riantec a accepté ; on attend Lorient." in first
    last = next(t for t in to_anne if "pour Lorient la proposition" in t)
    assert "Confirmée : toutes les communes ont accepté." in last
    to_lorient = [read(m) for r, m in found_mails if r == LORIENT_MAIL
                  and str(m["Subject"]).startswith(subject)]  # fmt: skip
    assert len(to_lorient) == 2
    assert any("Lorient n'a pas encore répondu : répondez au message de la proposition." in t
               for t in to_lorient)  # fmt: skip
    assert any("pour votre commune, Lorient," in t for t in to_lorient)


async def test_a_refusal_for_the_lender_is_matched_again(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, COORDINATOR)
    first = await loan(sessions)
    async with sessions.begin() as session:
        lorient = await session.scalar(select(Offer).where(Offer.commune_insee == "56121"))
        assert lorient is not None
        session.add(Offer(commune_insee="56083", item_id=lorient.item_id, quantity=60,
                          item_label=lorient.item_label, start=lorient.start, end=lorient.end,
                          channel=Channel.CLI, status=OfferStatus.OPEN))  # fmt: skip
    done = await client.post(f"/propositions/{first.id}/repondre",
                             data=answer(form, "56121", "refuse"))  # fmt: skip
    assert done.status == 200 and "Réponse enregistrée : refusée" in await body(done)
    assert (await loan(sessions)).status is ProposalStatus.REFUSED
    # As when Lorient refuses itself: Riantec's need is proposed to Hennebont.
    again = await loan(sessions, "56083")
    assert again.status is ProposalStatus.PROPOSED and again.id != first.id
    assert set((await answers(sessions, again.id)).values()) == {"pending"}
    told = [(r, m) for r, m in await mails(sessions) if r == CORRESPONDENT]
    subjects = {str(m["Subject"]) for _, m in told}
    assert f"Proposition de prêt n° {again.id}" in subjects
    news = next(read(m) for _, m in told if "réponse de la coordination" in str(m["Subject"]))
    assert "La coordination a refusé pour Lorient" in news
    assert "Refusée par Lorient : le matériel promis est libéré." in news
    assert BY_LOU in news
    closed = await client.post(f"/propositions/{first.id}/repondre",
                               data=answer(form, "56193", "accepte"))  # fmt: skip
    assert closed.status == 400
    assert "est refusée : plus de réponse possible" in plain(await body(closed))


async def test_a_group_order_is_answered_for_one_of_its_communes(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, COORDINATOR)
    order = await group_order(sessions)
    text = await body(await client.get("/"))
    assert f'<a href="/propositions/{order.id}">Réponses des communes' in text
    done = await client.post(f"/propositions/{order.id}/repondre",
                             data=answer(form, "56040", "accepte"))  # fmt: skip
    assert done.status == 200
    assert await answers(sessions, order.id) == {"56036": "pending", "56040": "accepted"}
    shown = await body(await client.get(f"/propositions/{order.id}"))
    assert "<td>Cléguer</td><td>achète</td><td>a accepté, réponse donnée pour elle par Lou" in shown


async def test_who_may_not_answer_for_a_commune(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    found = await loan(sessions)
    url = f"/propositions/{found.id}"
    # A correspondent reads the answers, without a form, and cannot answer.
    form = await log_in(client, sessions, CORRESPONDENT)
    text = await body(await client.get(url))
    assert "n'a pas encore répondu" in text and "Accepter pour" not in text
    assert re.search(r"On attend la réponse de (Lorient et Riantec|Riantec et Lorient)\.", text)
    refused = await client.post(f"{url}/repondre", data=answer(form, "56121", "accepte"))
    assert refused.status == 403 and "Seuls les coordinateurs" in await body(refused)
    # A coordinator of another territory sees nothing of it and cannot answer.
    client.session.cookie_jar.clear()
    form = await log_in(client, sessions, STRANGER)
    hidden = await client.get(url)
    assert hidden.status == 404 and "barrières" not in await body(hidden)
    far = await client.post(f"{url}/repondre", data=answer(form, "56121", "accepte"))
    assert far.status == 400 and "sur votre territoire" in await body(far)
    # Lorient's coordinator: not without the form's token, not for a commune outside the
    # proposal, not without a verdict, not a proposal that does not exist.
    client.session.cookie_jar.clear()
    form = await log_in(client, sessions, COORDINATOR)
    for data in ({"commune": "56121", "reponse": "accepte"},
                 answer("faux", "56121", "accepte")):  # fmt: skip
        forged = await client.post(f"{url}/repondre", data=data)
        assert forged.status == 403 and "Formulaire refusé" in await body(forged)
    outside = await client.post(f"{url}/repondre", data=answer(form, "56036", "accepte"))
    assert outside.status == 400 and "Caudan ne participe pas" in await body(outside)
    vague = await client.post(f"{url}/repondre", data=answer(form, "56121", "peut-être"))
    assert vague.status == 400 and "Choisissez d'accepter ou de refuser" in await body(vague)
    assert (await client.get("/propositions/99999")).status == 404
    # A cancelled proposal is answered no more.
    async with sessions.begin() as session:
        cancelled = await session.get(Proposal, found.id)
        assert cancelled is not None
        cancelled.status = ProposalStatus.CANCELLED
    late = await client.post(f"{url}/repondre", data=answer(form, "56121", "accepte"))
    assert late.status == 400 and "est annulée : plus de réponse possible" in await body(late)
    assert set((await answers(sessions, found.id)).values()) == {Answer.PENDING.value}
    assert await logged(sessions) == []


async def test_two_coordinators_answering_at_once_answer_once(
    sessions: async_sessionmaker[AsyncSession], store_url: str
) -> None:
    await pending(sessions)
    await second_coordinator(sessions)
    found = await loan(sessions)
    async with two_apps(sessions, store_url) as clients:
        tokens = (await log_in(clients[0], sessions, COORDINATOR),
                  await log_in(clients[1], sessions, OTHER_COORDINATOR))  # fmt: skip
        statuses, refused = await both(clients, f"/propositions/{found.id}/repondre", (
            answer(tokens[0], "56193", "accepte"), answer(tokens[1], "56193", "refuse"),
        ))  # fmt: skip
    assert statuses == [303, 400], refused
    assert f"Riantec a déjà {'accepté' if 'Lou' in refused else 'refusé'} la proposition " \
        f"n° {found.id} : " in refused and "rien n'a été refait" in refused  # fmt: skip
    assert [a for a, _, _ in await logged(sessions)] == ["repondre:56193"]
    async with sessions() as session:
        news = list(await session.scalars(
            select(OutboxMessage.subject).where(
                OutboxMessage.recipient == CORRESPONDENT,
                OutboxMessage.subject.like("%réponse de la coordination%"),
            )
        ))  # fmt: skip
    assert len(news) == 1
    assert (await answers(sessions, found.id))["56193"] != "pending"

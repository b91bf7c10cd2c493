"""The shared page through aiohttp's test client on a real store (SQLite file, and
PostgreSQL when it is given): one-time links, sessions, what each member sees, the
coordinators' forms, and the refusals (forged, expired or reused link, another territory,
a correspondent acting, a form without its token)."""

from __future__ import annotations

import datetime as dt
import html
import io
import itertools
import re
from collections.abc import AsyncIterator
from decimal import Decimal

import openpyxl
import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.logins import LINK_LIFETIME, asks_for_link, issue_link
from handlers.matching import match
from handlers.web.app import COOKIE, WebConfig, make_app
from storage.database import session_factory
from storage.members import add_member
from storage.models import (
    ActionEntry,
    Commune,
    Need,
    NeedKind,
    NeedStatus,
    OutboxMessage,
    Proposal,
    ProposalKind,
    ProposalParticipant,
    ProposalStatus,
    Role,
    Territory,
)
from tests.cli import mutualise
from tests.conftest import SEEDED, Start, seed
from tests.test_digests import PARIS, play

Client = TestClient[web.Request, web.Application]
NOW = dt.datetime(2027, 6, 1, 9, tzinfo=PARIS)
COORDINATOR = "agglo@lorient.bzh"
CORRESPONDENT = "anne@gmail.com"  # Riantec's, from the seed
STRANGER = "chef@ailleurs.bzh"  # a coordinator of another territory


async def territory(sessions: async_sessionmaker[AsyncSession], accept: bool = True) -> None:
    """The digests' scenario (a loan of barriers from Lorient to Riantec on 21 June, accepted
    by both unless not `accept`; a group order of laptops by Caudan and Cléguer), a
    coordinator of Lorient, and another territory with its own coordinator and a need of its
    own."""
    await play(sessions, accept)
    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.COORDINATOR, emails=[COORDINATOR], name="Lou")
        other = Territory(epci="200000001", name="Pays d'Ailleurs", kind="CC", source="test")
        session.add(other)
        await session.flush()
        far = Commune(insee="29999", territory_id=other.id, name="Ailleurs", population=900)
        session.add(far)
        await session.flush()
        await add_member(session, far, Role.COORDINATOR, emails=[STRANGER], name="Sam")
        session.add(Need(commune_insee="29999", kind=NeedKind.PURCHASE, item_label="zeppelin",
                         quantity=1, deadline=dt.date(2027, 9, 1), channel="cli",
                         status=NeedStatus.OPEN))  # fmt: skip


async def _on_territory(engine: AsyncEngine) -> None:
    await seed(engine)
    await territory(session_factory(engine))


# The page's tests begin on `territory`, built once per worker and backend: played again
# for each of them, it took a fifth of a second of each.
ON_TERRITORY = Start("territory", _on_territory)


@pytest.fixture
def store_start(request: pytest.FixtureRequest) -> Start:
    """The tests of the page (those that want `client`) begin on `territory`."""
    return ON_TERRITORY if "client" in request.fixturenames else SEEDED


@pytest.fixture
async def client(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Client]:
    """The page on the territory (`territory`), through aiohttp's test client."""
    app = make_app(WebConfig(sessions, lambda: NOW, secure=False))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def body(response: ClientResponse) -> str:
    """The page's text as a reader sees it (entities decoded)."""
    return html.unescape(await response.text())


async def link_for(
    sessions: async_sessionmaker[AsyncSession], email: str, at: dt.datetime = NOW
) -> str:
    async with sessions.begin() as session:
        return (await issue_link(session, at, email=email)).secret


async def log_in(client: Client, sessions: async_sessionmaker[AsyncSession], email: str) -> str:
    """Open a session as the member of that address; returns the page's form token."""
    secret = await link_for(sessions, email)
    response = await client.post(f"/connexion/{secret}", allow_redirects=False)
    assert response.status == 303
    page = await client.get("/")
    assert page.status == 200
    found = re.search(r'name="jeton" value="([^"]+)"', await body(page))
    assert found is not None
    return found.group(1)


async def group_order(sessions: async_sessionmaker[AsyncSession]) -> Proposal:
    async with sessions() as session:
        found = await session.scalar(
            select(Proposal).where(Proposal.kind == ProposalKind.GROUP_ORDER)
        )
        assert found is not None
        return found


async def test_without_a_session_the_page_says_how_to_get_in(client: Client) -> None:
    response = await client.get("/")
    assert response.status == 401
    text = await body(response)
    assert "réservée aux membres" in text and "/web" in text
    assert "Caudan" not in text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_a_link_opens_one_session_once(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    secret = await link_for(sessions, COORDINATOR)
    # Opening the link only shows a button: a mail scanner fetching it uses nothing.
    shown = await client.get(f"/connexion/{secret}")
    assert shown.status == 200 and "Se connecter" in await body(shown)
    opened = await client.post(f"/connexion/{secret}", allow_redirects=False)
    assert opened.status == 303 and opened.headers["Location"] == "/"
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = await client.get("/")
    text = await body(page)
    assert page.status == 200
    assert "Référencement — Lorient Agglomération" in text
    for heading in ("Besoins", "Matériel prêtable", "Groupements et achats communs",
                    "Calendrier", "Indicateurs"):  # fmt: skip
        assert f">{heading}</h2>" in text
    assert "3 ordinateurs portables" in text and "Quéven" in text
    # The same link again, even from another browser: refused.
    client.session.cookie_jar.clear()
    again = await client.post(f"/connexion/{secret}", allow_redirects=False)
    assert again.status == 403 and "a déjà servi" in await body(again)
    assert (await client.get("/")).status == 401


@pytest.mark.parametrize("case", ["forged", "expired"])
async def test_a_forged_or_expired_link_is_refused(
    client: Client, sessions: async_sessionmaker[AsyncSession], case: str
) -> None:
    if case == "forged":
        secret = "x" * 43
    else:
        secret = await link_for(sessions, COORDINATOR, NOW - LINK_LIFETIME - dt.timedelta(1))
    response = await client.post(f"/connexion/{secret}", allow_redirects=False)
    assert response.status == 403
    assert "n'est pas valable" in await body(response)
    assert COOKIE not in response.headers.get("Set-Cookie", "")


async def test_a_cookie_is_secure_off_loopback(sessions: async_sessionmaker[AsyncSession]) -> None:
    await territory(sessions)
    secret = await link_for(sessions, COORDINATOR)
    async with TestClient(TestServer(make_app(WebConfig(sessions, lambda: NOW)))) as client:
        response = await client.post(f"/connexion/{secret}", allow_redirects=False)
        assert "Secure" in response.headers["Set-Cookie"]


async def test_another_territory_is_never_shown(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, STRANGER)
    text = await body(await client.get("/"))
    assert "Pays d'Ailleurs" in text and "zeppelin" in text
    assert "Lorient" not in text and "ordinateurs" not in text and "Caudan" not in text
    # Nor can its coordinator act on a group order of Lorient Agglomération.
    order = await group_order(sessions)
    refused = await client.post(f"/groupements/{order.id}/clore", data={"jeton": form})
    assert refused.status == 400 and "sur votre territoire" in await body(refused)
    assert (await group_order(sessions)).status is ProposalStatus.PROPOSED
    hidden = await client.get(f"/groupements/{order.id}")
    assert hidden.status == 404 and "ordinateurs" not in await body(hidden)
    launched = await client.post(f"/groupements/{order.id}/lancer",
                                 data={"jeton": form, "porteur": "29999"})  # fmt: skip
    assert launched.status == 400 and "sur votre territoire" in await body(launched)
    # And Lorient's members do not see the other territory.
    client.session.cookie_jar.clear()
    await log_in(client, sessions, COORDINATOR)
    text = await body(await client.get("/"))
    assert "zeppelin" not in text and "Ailleurs" not in text


async def test_a_correspondent_reads_and_cannot_act(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, CORRESPONDENT)
    text = await body(await client.get("/"))
    assert "correspondant" in text and "Groupement n°" in text
    assert "Clore le groupement" not in text and "Enregistrer le prix" not in text
    order = await group_order(sessions)
    assert "Lancer le groupement" not in text
    own = await body(await client.get(f"/groupements/{order.id}"))
    assert "Porteur suggéré : Caudan" in own and "<form" not in own.split("<main")[1]
    assert (await client.get("/groupements/99999")).status == 404
    for path, data in ((f"/groupements/{order.id}/clore", {"jeton": form}),
                       (f"/groupements/{order.id}/prix", {"jeton": form, "prix": "100"}),
                       (f"/groupements/{order.id}/lancer", {"jeton": form, "porteur": "56193"}),
                       (f"/groupements/{order.id}/porteur", {"jeton": form, "porteur": "56193"}),
                       (f"/groupements/{order.id}/ajouter", {"jeton": form, "besoin": "1"})):  # fmt: skip
        refused = await client.post(path, data=data)
        assert refused.status == 403 and "Seuls les coordinateurs" in await body(refused)
    assert (await group_order(sessions)).status is ProposalStatus.PROPOSED


@pytest.mark.parametrize("token", [None, "wrong"])
async def test_a_form_without_its_token_is_refused(
    client: Client, sessions: async_sessionmaker[AsyncSession], token: str | None
) -> None:
    await log_in(client, sessions, COORDINATOR)
    order = await group_order(sessions)
    data = {} if token is None else {"jeton": token}
    refused = await client.post(f"/groupements/{order.id}/clore", data=data)
    assert refused.status == 403 and "Formulaire refusé" in await body(refused)
    assert (await group_order(sessions)).status is ProposalStatus.PROPOSED


async def test_a_coordinator_records_the_price_then_closes_the_group_order(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, COORDINATOR)
    order = await group_order(sessions)
    unreadable = await client.post(f"/groupements/{order.id}/prix",
                                   data={"jeton": form, "prix": "beaucoup"})  # fmt: skip
    assert unreadable.status == 400 and "Montant illisible" in await body(unreadable)
    priced = await client.post(f"/groupements/{order.id}/prix",
                               data={"jeton": form, "prix": "2 000,01 €"})  # fmt: skip
    assert priced.status == 200 and "Prix obtenu enregistré" in await body(priced)
    order = await group_order(sessions)
    assert order.cost_key is not None and order.cost_key["obtained"] is True
    shares = {k: Decimal(v) for k, v in order.cost_key["shares"].items()}
    # By quantity (the default key): Caudan 3 laptops, Cléguer 2; to the cent.
    assert shares == {"56036": Decimal("1200.01"), "56040": Decimal("800.00")}
    text = await body(await client.get("/"))
    assert "prix obtenu 2" in text.replace("\u202f", " ").replace("\xa0", " ")
    closed = await client.post(f"/groupements/{order.id}/clore", data={"jeton": form})
    assert closed.status == 200 and "Groupement clos" in await body(closed)
    async with sessions() as session:
        done = await session.get(Proposal, order.id)
        assert done is not None and done.status is ProposalStatus.DONE
        statuses = set(await session.scalars(
            select(Need.status).where(Need.kind == NeedKind.PURCHASE,
                                      Need.commune_insee.in_(["56036", "56040"]))
        ))  # fmt: skip
        assert statuses == {NeedStatus.FULFILLED}
        logged = (await session.execute(
            select(ActionEntry.action, ActionEntry.member_id, ActionEntry.proposal_id)
            .order_by(ActionEntry.id)
        )).all()  # fmt: skip
    assert [(a, p) for a, _, p in logged] == [("prix", order.id), ("clore", order.id)]
    text = await body(await client.get("/"))
    assert "Lou (Lorient Agglomération) : Groupement n° " in text
    # Closed, it is no longer in formation: acting again is refused.
    again = await client.post(f"/groupements/{order.id}/clore", data={"jeton": form})
    assert again.status == 400 and "déjà clos" in await body(again)


async def test_needs_are_filtered_by_kind_and_commune(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await log_in(client, sessions, CORRESPONDENT)
    borrow = await body(await client.get("/", params={"genre": "emprunt"}))
    assert "1 chapiteau" in borrow and "ordinateurs portables" not in borrow.split("Matériel")[0]
    caudan = await body(await client.get("/", params={"commune": "56036"}))
    section = caudan.split('id="materiel"')[0]
    assert "3 ordinateurs portables" in section and "2 ordinateurs portables" not in section
    assert "1 besoin ouvert" in section
    early = await body(await client.get("/", params={"avant": "2027-07-31"}))
    assert "3 ordinateurs portables" not in early.split('id="materiel"')[0]
    assert (await client.get("/", params={"avant": "n'importe quoi"})).status == 200


async def test_lendable_equipment_by_item_and_dates(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await log_in(client, sessions, CORRESPONDENT)
    found = await client.get("/", params={"article": "barriere", "du": "2027-06-21",
                                          "au": "2027-06-21"})  # fmt: skip
    text = (await body(found)).split('id="groupements"')[0]
    # Lorient lends 100 barriers, 40 of which go to Riantec that day: 60 are free.
    assert "barrières Vauban" in text and "60 sur 100" in text and "km</td>" in text
    later = await client.get("/", params={"article": "barrière", "du": "2027-07-01"})
    assert "100 sur 100" in await body(later)
    winter = await client.get("/", params={"article": "barrière", "du": "2027-12-01",
                                           "au": "2027-12-02"})  # fmt: skip
    assert "ne prête cet article ces jours-là" in await body(winter)


async def test_the_indicators_have_accessible_charts_and_the_workbook_exports(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await log_in(client, sessions, COORDINATOR)
    text = await body(await client.get("/"))
    assert text.count('<svg role="img"') >= 2
    assert (
        '<title id="chart-needs-title">Besoins déclarés et rapprochés par commune</title>' in text
    )
    assert '<desc id="chart-needs-desc">' in text
    assert "<summary>Les chiffres en tableau</summary>" in text
    assert "Juin 2027" in text and "Juillet 2027" in text
    exported = await client.get("/besoins.xlsx")
    assert exported.status == 200
    book = openpyxl.load_workbook(io.BytesIO(await exported.read()), read_only=True)
    assert "Besoins" in book.sheetnames and "Indicateurs" in book.sheetnames


async def test_logging_out_ends_the_session(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, COORDINATOR)
    out = await client.post("/deconnexion", data={"jeton": form})
    assert out.status == 401
    assert (await client.get("/")).status == 401


async def test_the_command_line_prints_a_link(
    sessions: async_sessionmaker[AsyncSession], store_url: str
) -> None:
    result = mutualise("web-link", "--email", CORRESPONDENT, db=store_url,
                       env={"MUTUALISE_WEB_URL": "https://mutualise.example/"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert re.search(r"https://mutualise\.example/connexion/[\w-]{43}\n", result.stdout)
    unknown = mutualise("web-link", "--email", "personne@nulle.part", db=store_url)
    assert unknown.returncode == 1 and "Aucun membre actif" in unknown.stderr
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Proposal)) == 0


async def test_the_bot_sends_a_link_to_a_member(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from bot.dispatcher import build_dispatcher
    from handlers.inbox import Inbox
    from handlers.replies import STRANGER as UNKNOWN
    from handlers.replies import WEB_OFF
    from tests.telegram import ChatDriver, texts
    from tests.test_digests import READER

    async with sessions.begin() as session:
        queven = await session.get(Commune, "56185")
        assert queven is not None
        await add_member(session, queven, Role.CORRESPONDENT, name="Gwen", telegram_id=777)
    inbox = Inbox(sessions, READER)
    chat = ChatDriver(build_dispatcher(inbox, lambda: NOW, web_url="https://page.example"),
                      lambda: NOW)  # fmt: skip
    said = texts(await chat.say(777, "/web"))
    found = re.search(r"https://page\.example/connexion/([\w-]{43})", said)
    assert found is not None and "une seule fois" in said
    opened = await client.post(f"/connexion/{found.group(1)}", allow_redirects=False)
    assert opened.status == 303
    assert "Gwen, Quéven" in await body(await client.get("/"))
    assert UNKNOWN in texts(await chat.say(778, "/web"))
    # Update numbers of its own: the store remembers those the first chat handled.
    closed = ChatDriver(build_dispatcher(inbox, lambda: NOW), lambda: NOW, itertools.count(900))
    assert WEB_OFF in texts(await closed.say(777, "/web"))


async def test_a_long_list_shows_the_needs_due_first(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions.begin() as session:
        for day in range(210):
            session.add(Need(commune_insee="56121", kind=NeedKind.PURCHASE, quantity=1,
                             item_label=f"article {day}", channel="cli", status=NeedStatus.OPEN,
                             deadline=dt.date(2027, 7, 1) + dt.timedelta(days=day)))  # fmt: skip
    await log_in(client, sessions, COORDINATOR)
    text = await body(await client.get("/"))
    assert "214 besoins ouverts : voici les 200 aux échéances les plus proches" in text
    assert ">1 article 0<" in text and ">1 article 209<" not in text
    narrowed = await body(await client.get("/", params={"avant": "2027-07-10"}))
    # Ten articles due by 10 July, and Riantec's barriers of 21 June.
    assert "11 besoins ouverts." in narrowed


async def laptops(sessions: async_sessionmaker[AsyncSession], insee: str, count: int,
                  deadline: dt.date) -> int:  # fmt: skip
    """An open purchase of laptops by that commune, recorded without matching."""
    order = await group_order(sessions)
    async with sessions.begin() as session:
        need = Need(commune_insee=insee, kind=NeedKind.PURCHASE, item_id=order.item_id,
                    item_label="ordinateur portable", quantity=count, deadline=deadline,
                    channel="cli", status=NeedStatus.OPEN)  # fmt: skip
        session.add(need)
        await session.flush()
        return need.id


async def parts(sessions: async_sessionmaker[AsyncSession], order_id: int) -> set[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(ProposalParticipant.commune_insee, ProposalParticipant.role).where(
                ProposalParticipant.proposal_id == order_id
            )
        )
        return {(insee, role.value) for insee, role in rows}


async def told(sessions: async_sessionmaker[AsyncSession], order_id: int) -> list[str]:
    """Who was sent the group order's notice since the scenario, in order."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.recipient)
            .where(OutboxMessage.subject == f"Proposition de groupement de commandes n° {order_id}",
                   OutboxMessage.created_at >= NOW)
            .order_by(OutboxMessage.id)
        )  # fmt: skip
        return list(rows)


async def test_a_coordinator_launches_a_group_order_with_a_need_that_could_join(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, COORDINATOR)
    order = await group_order(sessions)
    # Lanester buys laptops too, too late for matching's horizon: it could join.
    late = await laptops(sessions, "56098", 4, dt.date(2028, 6, 1))
    text = await body(await client.get("/"))
    assert f"peut rejoindre le groupement n° {order.id}" in text
    assert "1 besoin ouvert pourrait le rejoindre" in text
    assert f'<a href="/groupements/{order.id}">Lancer le groupement n° {order.id}' in text
    # The order's own page holds the forms: the suggested carrier chosen, Lanester's need.
    text = await body(await client.get(f"/groupements/{order.id}"))
    assert '<option value="56036" selected>Caudan (suggérée)</option>' in text
    assert "Lanester : 4 ordinateurs portables, avant le 1er juin 2028" in text
    assert f"Lancer le groupement n° {order.id}</button>" in text
    # A carrier from another territory, or a need that is no purchase of laptops: refused.
    far = await client.post(f"/groupements/{order.id}/lancer",
                            data={"jeton": form, "porteur": "29999"})  # fmt: skip
    assert far.status == 400 and "commune de votre territoire" in await body(far)
    async with sessions() as session:
        chapiteau = await session.scalar(select(Need.id).where(Need.kind == NeedKind.BORROW,
                                                               Need.commune_insee == "56185"))  # fmt: skip
    odd = await client.post(f"/groupements/{order.id}/lancer",
                            data={"jeton": form, "porteur": "56040", "besoin": str(chapiteau)})  # fmt: skip
    assert odd.status == 400 and "ne peut pas rejoindre" in await body(odd)
    assert (await group_order(sessions)).status is ProposalStatus.PROPOSED
    # Launched with Lanester's need, carried by Cléguer rather than the suggested Caudan.
    async with sessions.begin() as session:
        lanester = await session.get(Commune, "56098")
        assert lanester is not None
        await add_member(session, lanester, Role.CORRESPONDENT, emails=["achats@lanester.bzh"])
    launched = await client.post(f"/groupements/{order.id}/lancer",
                                 data={"jeton": form, "porteur": "56040", "besoin": str(late)})  # fmt: skip
    text = await body(launched)
    assert launched.status == 200 and "Groupement lancé" in text
    assert (
        "Lancé le 1er juin 2027 par Lou (Lorient Agglomération)" in text
        and "porté : Cléguer" in text
    )
    assert f"Changer le porteur du groupement n° {order.id}" in text
    assert "peut rejoindre" not in text
    assert (
        "Lou (Lorient Agglomération) : Groupement n° " in text
        and "porté par Cléguer ; rejoint par Lanester" in text
    )
    order = await group_order(sessions)
    assert order.status is ProposalStatus.ACCEPTED and order.quantity == 9
    assert await parts(sessions, order.id) == {
        ("56036", "member"), ("56040", "member"), ("56098", "member"), ("56040", "carrier"),
    }  # fmt: skip
    assert "Lancé par la coordination le 1er juin 2027 : Caudan, Cléguer et Lanester, " \
        "9 ordinateurs portables en tout ; porteur : Cléguer." in order.reason  # fmt: skip
    assert order.cost_key is not None and order.cost_key["shares"]["56098"] != "0"
    async with sessions() as session:
        assert (await session.get(Need, late)).status is NeedStatus.MATCHED  # type: ignore[union-attr]
    # Lanester is sent the proposal to answer, by the proposals' own notices.
    assert await told(sessions, order.id) == ["achats@lanester.bzh"]
    # Matching keeps a launched order as it is: a commitment.
    async with sessions.begin() as session:
        await match(session)
    assert (await group_order(sessions)).status is ProposalStatus.ACCEPTED
    again = await client.post(f"/groupements/{order.id}/lancer",
                              data={"jeton": form, "porteur": "56040"})  # fmt: skip
    assert again.status == 400 and "déjà lancé" in await body(again)
    # Another carrier, outside the order: it is asked to accept.
    moved = await client.post(f"/groupements/{order.id}/porteur",
                              data={"jeton": form, "porteur": "56121"})  # fmt: skip
    assert moved.status == 200 and "Porteur enregistré" in await body(moved)
    assert ("56121", "carrier") in await parts(sessions, order.id)
    assert ("56040", "carrier") not in await parts(sessions, order.id)
    # Lorient has no member to tell: the coordinator is the territory's, not Lorient's.
    assert await told(sessions, order.id) == ["achats@lanester.bzh"]
    # A need that comes after the launch is added to it.
    later = await laptops(sessions, "56185", 1, dt.date(2027, 7, 15))
    assert "peut rejoindre" in await body(await client.get("/"))
    offered = await body(await client.get(f"/groupements/{order.id}"))
    assert "Quéven : 1 ordinateur portable" in offered and "Changer de porteur</button>" in offered
    added = await client.post(f"/groupements/{order.id}/ajouter",
                              data={"jeton": form, "besoin": str(later)})  # fmt: skip
    assert added.status == 200 and "Besoins ajoutés" in await body(added)
    assert ("56185", "member") in await parts(sessions, order.id)
    async with sessions() as session:
        logged = list(await session.scalars(select(ActionEntry.action).order_by(ActionEntry.id)))
    assert logged == ["lancer", "porteur", "ajouter"]


async def test_a_group_order_is_launched_before_its_carrier_changes(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form = await log_in(client, sessions, COORDINATOR)
    order = await group_order(sessions)
    early = await client.post(f"/groupements/{order.id}/porteur",
                              data={"jeton": form, "porteur": "56040"})  # fmt: skip
    assert early.status == 400 and "Lancez d'abord" in await body(early)
    assert ("56036", "carrier") in await parts(sessions, order.id)


async def test_a_member_asks_for_a_link_by_email(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from handlers.inbox import Inbox
    from mail.server import Mailbox, MailHandler, serve
    from storage.models import WebLink
    from tests.test_digests import READER
    from tests.test_mail_smtp import LIMIT, TRUST, Server, mail, talk

    handler = MailHandler(Inbox(sessions, READER, web_url="https://page.example"),
                          Mailbox.of("besoins@mutualise.example"), lambda: NOW, TRUST)  # fmt: skip
    listening = await serve(handler, "127.0.0.1", 0, LIMIT)
    server = Server(listening.sockets[0].getsockname()[1])

    async def sent(**kwargs: str) -> dict[str, str]:
        """Send a mail; what the service queued since, by recipient."""
        async with sessions() as session:
            last = await session.scalar(select(func.max(OutboxMessage.id))) or 0
        code, _ = await talk(server, mail(**kwargs))
        assert code == 250
        async with sessions() as session:
            rows = await session.execute(
                select(OutboxMessage.recipient, OutboxMessage.body).where(OutboxMessage.id > last)
            )
            return {recipient: text for recipient, text in rows}

    try:
        # A registered member, authenticated: the link comes back to their own address,
        # never to the Reply-To the mail names.
        got = await sent(text="Bonjour, pouvez-vous m'envoyer un lien vers la page ? Merci, Anne",
                         sender=f"Anne <{CORRESPONDENT}>", Subject="Accès à la page",
                         Reply_To="pirate@ailleurs.example", message_id="<l1@gmail.com>")  # fmt: skip
        assert list(got) == [CORRESPONDENT]
        found = re.search(r"https://page\.example/connexion/([\w-]{43})", got[CORRESPONDENT])
        assert found is not None and "une seule fois" in got[CORRESPONDENT]
        opened = await client.post(f"/connexion/{found.group(1)}", allow_redirects=False)
        assert opened.status == 303
        assert "Riantec" in await body(await client.get("/"))
        # A town hall's address speaks for its commune, but is no member: no link.
        town = await sent(text="Envoyez-nous le lien de connexion au référencement.",
                          sender="mairie@caudan.fr", message_id="<l2@caudan.fr>")  # fmt: skip
        assert "réservée aux membres inscrits" in town["mairie@caudan.fr"]
        # A stranger, and a member's address without authentication: no link either.
        stranger = await sent(text="Un lien vers la page svp", sender="qui@inconnu.example",
                              message_id="<l3@inconnu.example>")  # fmt: skip
        forged = await sent(text="Un lien vers la page svp", sender=CORRESPONDENT,
                            Authentication_Results="", message_id="<l4@gmail.com>")  # fmt: skip
        for said in (*town.values(), *stranger.values(), *forged.values()):
            assert "/connexion/" not in said
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(WebLink)) == 1
    finally:
        listening.close()
        await listening.wait_closed()
        await handler.close()


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Accès à la page\n\nBonjour, merci de m'envoyer un lien. Anne", True),
        ("Bonjour, pouvez-vous me renvoyer le lien de connexion ?", True),
        ("Je n'arrive plus à accéder au site du référencement.", True),
        ("/web", True),
        ("Objet : lien\n\nun nouveau lien vers l'outil svp", True),
        ("Nous devons acheter 3 ordinateurs portables avant septembre", False),
        ("Merci pour le lien entre nos deux communes, à bientôt.", False),
        ("Bonjour,\n\nOK merci.\n\n> Votre lien vers la page du territoire", False),
    ],
)
def test_what_asks_for_a_link(text: str, asks: bool) -> None:
    assert asks_for_link(text) is asks

"""The chain of named steps a stored message goes through, each a small function over the
message's `Handling`, as Mailman's chain of rules:

    claim → screen → identify → read → (a reply to the bot? the commune it asked for? a
          link asked?) → understand → (a coordinator naming no commune: which one?)
          → (a question: who can lend this?) → record | hold

A step lets the message go on (it returns None) or decides its fate (an `Outcome`). Once
every message of a transaction has been through its chain, the inbox settles what they
touched at once (`handlers/settlement.py`), then each message is answered (`answer`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import anticipation, asking, proposals, replies
from handlers.completion import complete, correct, original_message
from handlers.inbound import Inbound
from handlers.logins import asks_for_link, link_message
from handlers.naming import TerritoryNamedError, commune_alone
from handlers.notices import Action, ActionKind, asked
from handlers.reading.intents import Intent
from handlers.reading.reader import Reader, Reading
from handlers.recording import Author, Recorded, held_from, record, release
from handlers.settlement import Settlement
from handlers.wording import noun
from storage.errors import MutualiseError
from storage.inbox import (
    COMMUNE_ASKED,
    UNHANDLED,
    claim_many,
    set_outcome,
    take_question,
    take_unnamed,
    unnamed,
)
from storage.members import (
    Sender,
    commune_name,
    identify_sender,
    member_by_telegram,
    normalise_address,
)
from storage.models import Channel, Commune, InboundStatus, Member, Proposal, Role

log = logging.getLogger("mutualise.inbox")
# At most this many items recorded from one message.
MAX_ITEMS = 30


class Fate(enum.StrEnum):
    """What became of a message, as the channels need to know it."""

    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"
    REFUSED = "refused"
    ANSWERED = "answered"
    ASKED = "asked"  # a question answered, nothing recorded until its writer declares it
    TO_CONFIRM = "to_confirm"
    RECORDED = "recorded"
    FAILED = "failed"


@dataclass
class Outcome:
    """A message's fate, and the reply its writer reads (plain French text)."""

    fate: Fate
    reply: str | None = None
    message_id: int | None = None
    reading: Reading | None = None
    commune: str | None = None
    # The proposals its settlement made about the items it touched.
    proposals: list[Proposal] = field(default_factory=list)
    # The name of the commune it speaks for, when a step knew it (the card shows it).
    commune_name: str | None = None
    # The answers its reply invites (declare the need a question asked about).
    actions: tuple[Action, ...] = ()


# The channel's answer, queued in the transaction that records the message: a reply is
# sent if and only if what it speaks of is stored.
Responder = Callable[[AsyncSession, Outcome], Awaitable[None]]


@dataclass(frozen=True)
class Work:
    """A stored message to take through a chain of steps."""

    message_id: int
    inbound: Inbound
    chain: Sequence[Step]
    respond: Responder | None = None
    reading: Reading | None = None  # what the writer confirmed, when confirming a card
    # The message whose commune the bot asked for, when the chat knows it is answered now
    # (by email, the reply's thread says so).
    about: int | None = None


@dataclass
class Handling:
    """One message on its way through its chain: what each step found, for the next."""

    work: Work
    sender: Sender | None = None
    reading: Reading | None = None
    commune: str | None = None  # the INSEE code of the commune it speaks for
    touched: set[str] = field(default_factory=set)  # items whose matching may change
    outcome: Outcome | None = None

    @property
    def inbound(self) -> Inbound:
        return self.work.inbound

    @property
    def id(self) -> int:
        return self.work.message_id

    @property
    def member_id(self) -> int | None:
        return self.sender.member.id if self.sender and self.sender.member else None

    async def end(self, turn: Turn, fate: Fate, why: str, reply: str | None = None) -> Outcome:
        """Record what became of the message (`why`, for the log), and its outcome."""
        await set_outcome(turn.session, self.id, InboundStatus(fate.value), why,
                          member_id=self.member_id, commune_insee=self.commune)  # fmt: skip
        return Outcome(fate, reply, self.id, self.reading, self.commune)


@dataclass
class Turn:
    """What the steps of one transaction share."""

    session: AsyncSession
    reader: Reader
    settle: Settlement
    zone: ZoneInfo  # the time zone of the days messages speak of
    # Who wrote the transaction's emails, found for all of them at once.
    senders: dict[str, Sender | None]
    # The shared page's public address, for the links asked by email ("": not served).
    web_url: str = ""
    # Who wrote the transaction's chat messages (None: a stranger), found all at once.
    chats: dict[int, Member | None] = field(default_factory=dict)
    # The transaction's messages claimed for it, all at once (`claim_all`), not yet
    # taken up by the claiming step of their chain.
    claimed: set[int] = field(default_factory=set)


Step = Callable[[Turn, Handling], Awaitable[Outcome | None]]


# The steps, in the order a message meets them.


async def claim_message(turn: Turn, msg: Handling) -> Outcome | None:
    """Claim the message: whatever tries it at the same time, it is handled once."""
    return _claimed(turn, msg)


async def claim_card(turn: Turn, msg: Handling) -> Outcome | None:
    """Claim a confirmed card's message: confirmed twice, it is recorded once."""
    return _claimed(turn, msg)


async def claim_shown(turn: Turn, msg: Handling) -> Outcome | None:
    """Claim a message to be shown back (a chat's card): it records nothing, so it is
    checked, not locked (the lock, an UPDATE, made a commit to disk of a read)."""
    return _claimed(turn, msg)


def _claimed(turn: Turn, msg: Handling) -> Outcome | None:
    """The message goes on if the transaction claimed it (`claim_all`) and no message
    before it in the transaction took that claim up (the same message twice)."""
    if msg.id not in turn.claimed:
        return Outcome(Fate.DUPLICATE, None, msg.id)
    turn.claimed.discard(msg.id)
    return None


# The status each claiming step leaves its message in while the transaction holds it, and
# those it takes it from (a card may be the declaration of a question answered), and
# whether it locks the message (False: only checks it is not handled already).
_Claim = tuple[InboundStatus, tuple[InboundStatus, ...], bool]
_CLAIMS: dict[Step, _Claim] = {
    claim_message: (InboundStatus.RECEIVED, UNHANDLED, True),
    claim_card: (InboundStatus.RECORDED, (*UNHANDLED, InboundStatus.ASKED), True),
    claim_shown: (InboundStatus.RECEIVED, UNHANDLED, False),
}


async def claim_all(turn: Turn, msgs: Sequence[Handling]) -> None:
    """Claim the transaction's messages before any goes through its chain, in one
    statement for each status their claiming steps leave them in."""
    wanted: dict[_Claim, set[int]] = {}
    for msg in msgs:
        claim = _CLAIMS.get(msg.work.chain[0]) if msg.work.chain else None
        if claim is not None:
            wanted.setdefault(claim, set()).add(msg.id)
    for (status, taking, lock), ids in wanted.items():
        turn.claimed |= await claim_many(turn.session, ids, status, taking, lock=lock)


async def screen(turn: Turn, msg: Handling) -> Outcome | None:
    """Held unread when its sender's domain failed authentication; ignored when a machine
    wrote it (an auto-reply, a bounce): nothing is read, nobody answered."""
    if msg.inbound.quarantine:
        log.warning("message %s quarantined: %s", msg.id, msg.inbound.quarantine)
        return await msg.end(turn, Fate.QUARANTINED, msg.inbound.quarantine)
    if msg.inbound.automatic:
        return await msg.end(turn, Fate.IGNORED, f"automatique : {msg.inbound.automatic}")
    return None


async def identify(turn: Turn, msg: Handling) -> Outcome | None:
    """Who writes: a registered member, or a town hall's address. A stranger records
    nothing and speaks for nobody."""
    inbound = msg.inbound
    if inbound.channel is Channel.TELEGRAM:
        telegram_id = inbound.telegram_id
        if telegram_id in turn.chats:
            member = turn.chats[telegram_id]
        else:
            member = await member_by_telegram(turn.session, telegram_id) if telegram_id else None
        msg.sender = Sender(member.commune, member) if member else None
    else:
        address = normalise_address(inbound.sender)
        known = address in turn.senders
        found = turn.senders[address] if known else await identify_sender(turn.session, address)
        msg.sender = found
    if msg.sender is None:
        return await msg.end(turn, Fate.REFUSED, "expéditeur inconnu", replies.UNKNOWN_SENDER)
    return None


async def read(turn: Turn, msg: Handling) -> Outcome | None:
    """What the text says, as of the day it was written, unless the writer confirmed a
    reading; and the commune it speaks for (a coordinator may write for any)."""
    assert msg.sender is not None
    msg.reading = msg.work.reading or turn.reader.read(
        msg.inbound.text, msg.inbound.at.astimezone(turn.zone).date()
    )
    msg.commune = _speaks_for(msg.sender, msg.reading, msg.inbound)
    if not await _in_their_territory(turn.session, msg.sender, msg.commune):
        msg.commune = None  # a coordinator speaks for the communes of their territory alone
    if len(msg.reading.items) > MAX_ITEMS:  # a list to split, or junk: nothing recorded
        count = len(msg.reading.items)
        return await msg.end(turn, Fate.ANSWERED, f"{count} articles",
                             replies.too_many(count, MAX_ITEMS))  # fmt: skip
    return None


def _speaks_for(sender: Sender, reading: Reading, inbound: Inbound) -> str | None:
    """The commune a message speaks for: its writer's; a coordinator's, the one they name
    when they are authenticated, else none (they belong to the territory, not a commune)."""
    coordinator = sender.member is not None and sender.member.role is Role.COORDINATOR
    if coordinator and reading.commune and _authenticated(inbound):
        return reading.commune
    return sender.commune.insee if sender.commune is not None else None


async def _in_their_territory(session: AsyncSession, sender: Sender, insee: str | None) -> bool:
    """Whether the commune a message speaks for is of its writer's territory."""
    if insee is None or sender.member is None:
        return True
    commune = await session.get(Commune, insee)
    return commune is not None and commune.territory_id == sender.member.territory_id


def _authenticated(inbound: Inbound) -> bool:
    """Whether the writer is who they say: a Telegram account, or a mail that a trusted
    server authenticated."""
    return inbound.channel is Channel.TELEGRAM or bool(inbound.authenticated)


def _replied_to(msg: Handling) -> int | None:
    """The bot's message (in the outbox) this one replies to, when it declares nothing of
    its own: a reply to the bot."""
    if msg.reading is None or msg.reading.items:
        return None
    return msg.inbound.answers


async def _asked(turn: Turn, msg: Handling, kind: ActionKind) -> int | None:
    """What the bot's message this one replies to asked of that kind (the proposal to
    answer, the question), if it replies to one."""
    replied = _replied_to(msg)
    return await asked(turn.session, replied, kind) if replied is not None else None


async def answer_anticipation(turn: Turn, msg: Handling) -> Outcome | None:
    """A reply to "Même matériel que l'an dernier ?": oui records the needs again."""
    question = await _asked(turn, msg, ActionKind.ANSWER_ANTICIPATION)
    choice = anticipation.choice_in(msg.inbound.text) if question is not None else None
    if question is None or choice is None or msg.commune is None:
        return None
    try:
        reply = await anticipation.answer(
            turn.session, question, msg.commune, choice, msg.inbound.at, msg.inbound.channel,
            turn.settle,
        )  # fmt: skip
    except anticipation.AnticipationError as exc:
        reply = str(exc)
    return await msg.end(turn, Fate.RECORDED, f"répond {choice.value} à {question}", reply)


async def answer_proposal(turn: Turn, msg: Handling) -> Outcome | None:
    """A reply to a proposal: the commune accepts or refuses it."""
    proposal = await _asked(turn, msg, ActionKind.ANSWER_PROPOSAL)
    decision = proposals.verdict(msg.inbound.text) if proposal is not None else None
    if proposal is None or decision is None:
        return None
    assert msg.sender is not None
    if msg.sender.commune is None:  # a coordinator: they answer for no commune
        return await msg.end(turn, Fate.ANSWERED, f"proposition {proposal} : pas une commune",
                             replies.NO_COMMUNE)  # fmt: skip
    # A proposal is answered for the commune its notice went to: the writer's own.
    mine = msg.sender.commune.insee
    try:
        answered = await proposals.answer(turn.session, proposal, mine, decision, msg.inbound.at)
    except MutualiseError as exc:  # closed, unknown, or not this commune's proposal
        return await msg.end(turn, Fate.ANSWERED, str(exc), str(exc))
    msg.touched |= answered.touched
    why = f"{'accepte' if decision else 'refuse'} la proposition {proposal}"
    reply = replies.answered(proposal, decision, answered.confirmed)
    return await msg.end(turn, Fate.RECORDED, why, reply)


async def confirm_held(turn: Turn, msg: Handling) -> Outcome | None:
    """A reply to the bot's "j'ai besoin de votre confirmation": « oui » releases what was
    held, « non » drops it, a correction ("30 et pas 20", "du 12 au 14 juin") mends it and
    releases it."""
    replied = _replied_to(msg)
    original = await original_message(turn.session, replied) if replied is not None else None
    if original is None or msg.commune is None:
        return None
    needs, offers = await held_from(turn.session, original, msg.commune)
    if not needs and not offers:
        return None
    decision = proposals.verdict(msg.inbound.text)
    if decision is None:
        today = msg.inbound.at.astimezone(turn.zone).date()
        if not correct(needs, offers, msg.inbound.text, turn.reader, today):
            return None  # a reply about something else
        decision = True
    touched = release(needs, offers, keep=decision)
    await turn.session.flush()
    if decision:
        msg.touched |= touched
    reply = replies.CONFIRMED_HELD if decision else replies.DROPPED_HELD
    return await msg.end(turn, Fate.RECORDED, f"confirme le message {original}", reply)


async def complete_need(turn: Turn, msg: Handling) -> Outcome | None:
    """A reply to the bot's question ("pour quelles dates ?"): it completes the needs the
    question was about."""
    replied = _replied_to(msg)
    original = await original_message(turn.session, replied) if replied is not None else None
    if original is None or msg.commune is None:
        return None
    today = msg.inbound.at.astimezone(turn.zone).date()
    completion = await complete(
        turn.session, original, msg.commune, msg.inbound.text, turn.reader, today
    )
    if completion is None:
        return None
    msg.touched |= {n.item_id for n in completion.needs if n.item_id}
    reply = replies.completed(completion.describe(), completion.missing)
    return await msg.end(turn, Fate.RECORDED, f"complète le message {original}", reply)


async def declare_asked(turn: Turn, msg: Handling) -> Outcome | None:
    """A reply to the answer to a question ("qui peut nous prêter un podium ?"): « oui »
    declares the need it asked about, as it was read; « non » leaves it undeclared."""
    question_id = await _asked(turn, msg, ActionKind.DECLARE_ASKED)
    decision = asking.declares(msg.inbound.text) if question_id is not None else None
    if question_id is None or decision is None:
        return None
    if not decision:
        return await msg.end(turn, Fate.ANSWERED, f"ne déclare pas le message {question_id}",
                             replies.NOT_DECLARED)  # fmt: skip
    question = await take_question(turn.session, question_id, f"déclaré par le message {msg.id}")
    if question is None:
        return await msg.end(turn, Fate.ANSWERED, f"message {question_id} déjà déclaré",
                             replies.DECLARED_ALREADY)  # fmt: skip
    msg.reading = turn.reader.read(question.text, question.at.astimezone(turn.zone).date())
    msg.commune = question.commune or msg.commune
    return await which_commune(turn, msg) or await _record(turn, msg, ask=True)


async def name_commune(turn: Turn, msg: Handling) -> Outcome | None:
    """A coordinator's answer to « Pour quelle commune ? » that names one and nothing else
    (« Riantec », « pour Riantec »): the message asked about goes on through the chain in
    its place, read as if it had named that commune (nothing was recorded from it before);
    a commune of another territory is asked for again."""
    assert msg.reading is not None and msg.sender is not None
    if msg.reading.items:
        return None
    about = msg.work.about or await _asked(turn, msg, ActionKind.NAME_COMMUNE)
    if about is None:
        return None
    waiting = await unnamed(turn.session, about, msg.inbound.sender)
    try:
        named = await commune_alone(turn.session, msg.inbound.text) if waiting else None
    except TerritoryNamedError as exc:
        return await _commune_again(turn, msg, about, "le territoire nommé",
                                    replies.commune_again(str(exc)))  # fmt: skip
    if named is None or waiting is None:
        return None  # a message of its own
    insee, name = named.commune.insee, named.commune.name
    if not await _in_their_territory(turn.session, msg.sender, insee):
        return await _commune_again(turn, msg, about, f"{insee} hors du territoire",
                                    replies.not_in_territory(name))  # fmt: skip
    if not await take_unnamed(turn.session, about):
        return None  # taken up by another reply at the same time
    await set_outcome(turn.session, msg.id, InboundStatus.ANSWERED,
                      f"nomme la commune du message {about}", member_id=msg.member_id,
                      commune_insee=insee)  # fmt: skip
    earlier = Inbound(waiting.channel, waiting.sender, waiting.text, waiting.at,
                      waiting.external_id, authenticated=msg.inbound.authenticated)  # fmt: skip
    reading = turn.reader.read(waiting.text, waiting.at.astimezone(turn.zone).date())
    reading.commune = insee
    msg.work = replace(msg.work, message_id=about, inbound=earlier, reading=reading, about=None)
    return await read(turn, msg)


async def _commune_again(turn: Turn, msg: Handling, about: int, why: str, reply: str) -> Outcome:
    """The commune named cannot be the one: it is asked for again, for the same message."""
    outcome = await msg.end(turn, Fate.ANSWERED, f"message {about} : {why}", reply)
    outcome.actions = (Action(ActionKind.NAME_COMMUNE, about),)
    return outcome


async def send_link(turn: Turn, msg: Handling) -> Outcome | None:
    """An email that declares nothing and asks for the territory's page: a registered
    member gets a one-time link, in the reply that goes to their own registered address
    (the address the mail came from, authenticated); a town hall's address gets none."""
    assert msg.sender is not None and msg.reading is not None
    inbound = msg.inbound
    if inbound.channel is not Channel.EMAIL or msg.reading.items:
        return None
    if not asks_for_link(inbound.text):
        return None
    member = msg.sender.member
    if member is None or not inbound.authenticated:
        return await msg.end(turn, Fate.ANSWERED, "lien refusé : pas un membre inscrit",
                             replies.WEB_MEMBERS_ONLY)  # fmt: skip
    address = normalise_address(inbound.sender)
    reply = await link_message(turn.session, inbound.at, turn.web_url, turn.zone, email=address)
    return await msg.end(turn, Fate.ANSWERED, "lien de connexion à la page envoyé", reply)


async def understand(turn: Turn, msg: Handling) -> Outcome | None:
    """A text with nothing to record gets a helpful answer."""
    assert msg.reading is not None
    if msg.reading.intent is not Intent.UNKNOWN:
        return None
    return await msg.end(turn, Fate.ANSWERED, "rien à enregistrer", replies.NOTHING_UNDERSTOOD)


async def which_commune(turn: Turn, msg: Handling) -> Outcome | None:
    """A coordinator's message that names no commune (or not authenticated) is recorded for
    none: the writer is asked which commune it is for, and nothing is kept until told."""
    if msg.commune is not None:
        return None
    authenticated = _authenticated(msg.inbound)
    reply = replies.which_commune(authenticated=authenticated)
    outcome = await msg.end(turn, Fate.ANSWERED, COMMUNE_ASKED, reply)
    if authenticated:  # a reply naming the commune takes the message up again
        outcome.actions = (Action(ActionKind.NAME_COMMUNE, msg.id),)
    return outcome


async def ask(turn: Turn, msg: Handling) -> Outcome | None:
    """A question ("qui peut nous prêter un podium le 21 juin ?") is answered with the
    communes whose offers cover those days, nearest first; nothing is recorded until its
    writer declares it (a button, or a reply)."""
    assert msg.reading is not None and msg.commune is not None
    if not asking.is_question(msg.reading):
        return None
    found = await asking.lenders(turn.session, msg.reading, msg.commune)
    reply = replies.lenders(msg.reading, found)
    lenders = sum(len(f.free) for f in found)
    free = f"{lenders} {noun(lenders, 'offre libre', 'offres libres')}"
    outcome = await msg.end(turn, Fate.ASKED, f"question : {free}", reply)
    outcome.actions = (Action(ActionKind.DECLARE_ASKED, msg.id),)
    return outcome


async def hold(turn: Turn, msg: Handling) -> Outcome | None:
    """A chat message is shown back to be confirmed: nothing is recorded yet."""
    own = msg.sender.commune if msg.sender else None
    name = own.name if own is not None and own.insee == msg.commune else None
    return Outcome(Fate.TO_CONFIRM, None, msg.id, msg.reading, msg.commune, commune_name=name)


async def _record(turn: Turn, msg: Handling, ask: bool) -> Outcome:
    assert msg.reading is not None and msg.commune is not None
    author = Author(msg.commune, msg.member_id, msg.inbound.channel, msg.id)
    reading = msg.reading
    # An email read with doubts is recorded but held until its writer confirms it: nothing
    # unsure reaches the proposals or the other communes (a chat's card asked already).
    held = ask and bool(reading.doubts) and not msg.inbound.from_file
    recorded = await record(turn.session, reading, author, held=held)
    if not held:
        msg.touched |= _items(recorded)
    name = await commune_name(turn.session, msg.commune)
    reply = replies.recorded(reading, recorded, name)
    if ask and (recorded.needs or recorded.offers):
        reply += replies.still_missing([m for m in reading.missing if m not in reading.doubts])
        if held:
            reply += replies.to_confirm(reading.doubts)
    summary = _summary(reading, recorded)
    own = msg.sender.commune if msg.sender else None
    if msg.sender is not None and (own is None or msg.commune != own.insee):
        how = msg.inbound.authenticated or "compte Telegram"
        summary += f" ; pour {msg.commune} par le coordinateur n° {msg.member_id} ({how})"
        log.info("message %s: %s", msg.id, summary)
    return await msg.end(turn, Fate.RECORDED, summary, reply)


async def record_and_ask(turn: Turn, msg: Handling) -> Outcome | None:
    """Record what the message declares; the reply asks for what is missing (answering it
    completes the record)."""
    return await _record(turn, msg, ask=True)


async def record_card(turn: Turn, msg: Handling) -> Outcome | None:
    """Record what the writer confirmed on the card (its questions were asked there)."""
    return await _record(turn, msg, ask=False)


# A message recorded as it is read: an email, a line of `mutualise ingest`.
AS_READ: tuple[Step, ...] = (
    claim_message, screen, identify, read,
    name_commune, answer_anticipation, answer_proposal, confirm_held, complete_need,
    declare_asked, send_link, understand, which_commune, ask, record_and_ask,
)  # fmt: skip
# A chat message: read and shown back as a card, recorded only once confirmed; a question
# answered, recorded only once its writer presses the button to declare it.
TO_CONFIRM: tuple[Step, ...] = (
    claim_shown, screen, identify, read, name_commune, understand, which_commune, ask, hold,
)  # fmt: skip
# The card confirmed: recorded as the writer left it.
CONFIRMED: tuple[Step, ...] = (claim_card, identify, read, which_commune, record_card)


async def go_through(turn: Turn, msg: Handling) -> Outcome:
    """Take the message through its chain, up to the step that decides its fate."""
    for step in msg.work.chain:
        outcome = await step(turn, msg)
        if outcome is not None:
            return outcome
    raise AssertionError("a chain ends with a step that decides")  # pragma: no cover


async def answer(turn: Turn, msg: Handling, created: Sequence[Proposal]) -> None:
    """Once the transaction's messages are settled: the message's proposals, and its reply
    queued by its channel."""
    assert msg.outcome is not None
    msg.outcome.proposals = [p for p in created if p.item_id in msg.touched]
    if msg.work.respond is not None and msg.outcome.fate is not Fate.TO_CONFIRM:
        await msg.work.respond(turn.session, msg.outcome)


def _items(recorded: Recorded) -> set[str]:
    """The items a message touched: only their matching can change."""
    needs = [*recorded.needs, *recorded.withdrawn_needs]
    offers = [*recorded.offers, *recorded.withdrawn_offers]
    ids = [n.item_id for n in needs] + [o.item_id for o in offers]
    return {i for i in ids if i is not None}


def _summary(reading: Reading, recorded: Recorded) -> str:
    withdrawn = len(recorded.withdrawn_needs) + len(recorded.withdrawn_offers)
    counts = ((len(recorded.needs), "besoin"), (len(recorded.offers), "offre"),
              (withdrawn, "retrait"))  # fmt: skip
    return f"{reading.intent.value}: " + ", ".join(f"{n} {noun(n, word)}" for n, word in counts)

"""The shared page's HTTP adapter (aiohttp): one-time links to sessions, the page of the
visitor's territory, the workbook, and the coordinators' forms.

Reads a request, calls `handlers/`, renders a template: what the page holds is decided in
handlers/page.py, who may do what in handlers/logins.py, handlers/group_orders.py and
handlers/proxy_answers.py.
"""

from __future__ import annotations

import datetime as dt
import gc
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.costs import CostKey
from handlers.digests import DigestConfig
from handlers.digests.charts import indicator_charts
from handlers.digests.render import environment as digest_environment
from handlers.digests.workbook import workbook
from handlers.group_orders import add_needs, choose_carrier, close, launch, record_price
from handlers.logins import current_visitor, log_out, redeem_link
from handlers.page import NeedFilter, Search, page, scope_of, summary_of
from handlers.proxy_answers import ProxyAnswerError, answer_for, answers_of
from handlers.settlement import Settlement
from handlers.web.charts import bars
from handlers.wording import listing
from storage import views
from storage.access import Visitor
from storage.errors import MutualiseError
from storage.turns import writing

log = logging.getLogger("mutualise.web")
COOKIE = "mutualise_session"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Server": "mutualise",
}
# What a finished action says once the page is shown again (Post/Redirect/Get).
DONE = {
    "clos": "Groupement clos : les besoins qu'il réunissait sont satisfaits.",
    "prix": "Prix obtenu enregistré : les parts suivent la clé de répartition.",
    "lance": "Groupement lancé : une commune qui le rejoint est invitée à l'accepter.",
    "porteur": "Porteur enregistré ; une commune qui n'était pas du groupement est "
    "invitée à l'accepter.",
    "ajoute": "Besoins ajoutés au groupement : leurs communes sont invitées à l'accepter.",
    "accepte": "Réponse enregistrée : acceptée pour la commune ; les communes de la "
    "proposition en sont averties.",
    "refuse": "Réponse enregistrée : refusée pour la commune ; les communes de la proposition "
    "en sont averties, et l'appariement cherche une autre solution pour ce qu'elle libère.",
}
# What a coordinator's answer for a commune says (`reponse` in the form): accept or refuse.
VERDICTS = {"accepte": True, "refuse": False}


@dataclass(frozen=True)
class WebConfig:
    """What the page needs from the service: the store, the clock, and its settings."""

    sessions: async_sessionmaker[AsyncSession]
    now: Callable[[], dt.datetime]
    secure: bool = True
    digests: DigestConfig = field(default_factory=DigestConfig)
    group_key: CostKey | None = None
    # What follows a refusal answered for a commune: matching the items it freed again.
    settle: Settlement = field(default_factory=Settlement)


@cache
def templates() -> Environment:
    """The page's templates, with the digests' French filters (dates, euros, percents)."""
    folder = str(resources.files("handlers.web").joinpath("templates"))
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters.update(digest_environment().filters)
    env.filters["listing"] = listing
    env.filters["km"] = lambda km: "—" if km is None else f"{km:.1f} km".replace(".", ",")
    return env


@cache
def _settle() -> None:
    """Once per process, when the page is first served: what lives by then (modules, the
    store's engine and mappings, the catalogue) lives as long as the process, so the
    collector's full passes stop walking it. One came every page or every few pages of a
    territory of 10,000 needs and walked about 190,000 objects, 110 to 150 ms each
    (docs/measures.md). What is frozen and later dropped in a cycle is never freed: by
    then, only what the process keeps."""
    gc.collect()
    gc.freeze()


async def _started(app: web.Application) -> None:
    _settle()


def _html(name: str, status: int = 200, **context: Any) -> web.Response:
    body = templates().get_template(name).render(**context)
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8")


def _message(title: str, text: str, status: int) -> web.Response:
    return _html("message.html.j2", status, title=title, text=text)


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _ids(form: Any) -> list[int]:
    """The needs ticked in a form (`besoin`, once per box); what is no number is dropped."""
    return [int(v) for v in form.getall("besoin", []) if str(v).isdigit() and len(str(v)) < 12]


def make_app(config: WebConfig) -> web.Application:
    """The web application of the shared page."""

    async def visitor_of(request: web.Request) -> Visitor | None:
        async with config.sessions() as session:
            return await current_visitor(session, request.cookies.get(COOKIE, ""), config.now())

    def checked(
        handler: Callable[[web.Request, Visitor], Awaitable[web.StreamResponse]],
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Only for a session; a form also needs its session's token (CSRF)."""

        async def run(request: web.Request) -> web.StreamResponse:
            who = await visitor_of(request)
            if who is None:
                return _html("welcome.html.j2", 401)
            if request.method == "POST":
                form = await request.post()
                sent = str(form.get("jeton", ""))
                if not hmac.compare_digest(sent.encode(), who.form_token.encode()):
                    return _message("Formulaire refusé", "Ce formulaire a expiré ou ne vient "
                                    "pas de cette page : rechargez la page et recommencez.",
                                    403)  # fmt: skip
            return await handler(request, who)

        return run

    async def home(request: web.Request, who: Visitor) -> web.StreamResponse:
        query = request.query
        needs = NeedFilter(query.get("famille", ""), query.get("commune", ""),
                           query.get("genre", ""), _date(query.get("avant", "")))  # fmt: skip
        search = Search(query.get("article", "").strip()[:80], _date(query.get("du", "")),
                        _date(query.get("au", "")))  # fmt: skip
        if search.first and not search.last:
            search = Search(search.item, search.first, search.first)
        async with config.sessions() as session:
            shown = await page(session, who.territory_id, who.insee or "", config.now(), needs,
                               search, config.digests)  # fmt: skip
        done = DONE.get(query.get("fait", ""))
        charts = [bars(c) for c in indicator_charts(shown.summary)]
        return _html("page.html.j2", page=shown, who=who, needs=needs, search=search,
                     charts=charts, done=done)  # fmt: skip

    async def group(request: web.Request, who: Visitor) -> web.StreamResponse:
        """One group order in formation, with the coordinators' forms to launch it, choose
        its carrier, add needs to it (kept off the territory's page, which stays light)."""
        wanted = int(request.match_info["id"])
        async with config.sessions() as session:
            shown = await page(session, who.territory_id, who.insee or "", config.now(),
                               NeedFilter(), Search(), config.digests)  # fmt: skip
        found = next((g for g in shown.group_orders if g.row.id == wanted), None)
        if found is None:
            return _message("Groupement introuvable", f"Aucun groupement de commandes n° "
                            f"{wanted} en formation sur votre territoire.", 404)  # fmt: skip
        return _html("group.html.j2", g=found, who=who, today=shown.today,
                     communes=shown.scope.communes)  # fmt: skip

    async def export(request: web.Request, who: Visitor) -> web.StreamResponse:
        async with config.sessions() as session:
            scope = await scope_of(session, who.territory_id)
            items = await views.catalogue(session)
            summary = await summary_of(session, scope, items, config.now(), config.digests)
        return web.Response(body=workbook(summary), headers={
            "Content-Type": XLSX,
            "Content-Disposition": 'attachment; filename="besoins.xlsx"',
        })  # fmt: skip

    async def proposal(request: web.Request, who: Visitor) -> web.StreamResponse:
        """A proposal with each commune's answer; a coordinator answers there for one of
        its communes that has not."""
        wanted = int(request.match_info["id"])
        try:
            async with config.sessions() as session:
                shown = await answers_of(session, who, wanted)
        except ProxyAnswerError as exc:
            return _message("Proposition introuvable", str(exc), 404)
        return _html("proposal.html.j2", p=shown, who=who,
                     done=DONE.get(request.query.get("fait", "")))  # fmt: skip

    def action(
        act: Callable[[AsyncSession, Visitor, int, Any], Awaitable[object]],
        done: Callable[[int, Any], str],
    ) -> Callable[[web.Request, Visitor], Awaitable[web.StreamResponse]]:
        async def run(request: web.Request, who: Visitor) -> web.StreamResponse:
            if not who.acts:
                return _message("Action réservée", "Seuls les coordinateurs agissent sur "
                                "les groupements et répondent pour les communes ; les "
                                "correspondants lisent.", 403)  # fmt: skip
            form = await request.post()
            try:
                proposal_id = int(request.match_info["id"])
                # In its turn on SQLite: a second coordinator's action waits for the first.
                async with writing(config.sessions, urgent=True) as session:
                    await act(session, who, proposal_id, form)
            except MutualiseError as exc:
                return _message("Action impossible", str(exc), 400)
            raise web.HTTPSeeOther(done(proposal_id, form))

        return run

    def on_page(done: str) -> Callable[[int, Any], str]:
        return lambda pid, form: f"/?fait={done}#groupements"

    async def answering(session: AsyncSession, who: Visitor, pid: int, form: Any) -> None:
        verdict = VERDICTS.get(str(form.get("reponse", "")))
        if verdict is None:
            msg = "Choisissez d'accepter ou de refuser la proposition pour la commune."
            raise ProxyAnswerError(msg)
        await answer_for(session, who, pid, str(form.get("commune", "")), verdict, config.now(),
                         config.settle)  # fmt: skip

    def answered(pid: int, form: Any) -> str:
        return f"/propositions/{pid}?fait={form.get('reponse', '')}"

    async def closing(session: AsyncSession, who: Visitor, pid: int, form: Any) -> None:
        await close(session, who, pid, config.now())

    async def pricing(session: AsyncSession, who: Visitor, pid: int, form: Any) -> None:
        await record_price(session, who, pid, str(form.get("prix", "")), config.now(),
                           config.group_key)  # fmt: skip

    async def launching(session: AsyncSession, who: Visitor, pid: int, form: Any) -> None:
        await launch(session, who, pid, str(form.get("porteur", "")), _ids(form),
                     config.now(), config.group_key, config.digests.price_folders)  # fmt: skip

    async def carrying(session: AsyncSession, who: Visitor, pid: int, form: Any) -> None:
        await choose_carrier(session, who, pid, str(form.get("porteur", "")), config.now())

    async def adding(session: AsyncSession, who: Visitor, pid: int, form: Any) -> None:
        await add_needs(session, who, pid, _ids(form), config.now(), config.group_key,
                        config.digests.price_folders)  # fmt: skip

    async def link(request: web.Request) -> web.StreamResponse:
        return _html("login.html.j2", secret=request.match_info["secret"])

    async def login(request: web.Request) -> web.StreamResponse:
        try:
            async with config.sessions.begin() as session:
                opened = await redeem_link(session, request.match_info["secret"], config.now())
        except MutualiseError as exc:
            return _message("Lien refusé", str(exc), 403)
        response = web.HTTPSeeOther("/")
        response.set_cookie(COOKIE, opened.secret, httponly=True, secure=config.secure,
                            samesite="Lax", path="/", max_age=7 * 24 * 3600)  # fmt: skip
        raise response

    async def logout(request: web.Request, who: Visitor) -> web.StreamResponse:
        async with config.sessions.begin() as session:
            await log_out(session, request.cookies.get(COOKIE, ""))
        response = web.HTTPSeeOther("/")
        response.del_cookie(COOKIE, path="/")
        raise response

    async def style(request: web.Request) -> web.StreamResponse:
        css = resources.files("handlers.web").joinpath("templates", "page.css").read_text("utf-8")
        return web.Response(text=css, content_type="text/css", charset="utf-8",
                            headers={"Cache-Control": "public, max-age=3600"})  # fmt: skip

    app = web.Application(middlewares=[_guarded])
    app.router.add_get("/", checked(home))
    app.router.add_get("/besoins.xlsx", checked(export))
    app.router.add_get("/groupements/{id:\\d+}", checked(group))
    for path, act, done in (("clore", closing, "clos"), ("prix", pricing, "prix"),
                            ("lancer", launching, "lance"), ("porteur", carrying, "porteur"),
                            ("ajouter", adding, "ajoute")):  # fmt: skip
        app.router.add_post(f"/groupements/{{id:\\d+}}/{path}", checked(action(act, on_page(done))))
    app.router.add_get("/propositions/{id:\\d+}", checked(proposal))
    app.router.add_post("/propositions/{id:\\d+}/repondre", checked(action(answering, answered)))
    app.router.add_get("/connexion/{secret}", link)
    app.router.add_post("/connexion/{secret}", login)
    app.router.add_post("/deconnexion", checked(logout))
    app.router.add_get("/style.css", style)
    app.on_response_prepare.append(_headers)
    app.on_startup.append(_started)
    return app


@web.middleware
async def _guarded(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Never a traceback in a response: a French page, the detail in the log."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400:
            return _message("Page introuvable", "Cette adresse ne mène à rien.", exc.status)
        raise
    except Exception:
        log.exception("web page failed: %s %s", request.method, request.path)
        return _message("Page indisponible", "La page est momentanément indisponible : "
                        "réessayez dans un instant.", 503)  # fmt: skip


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = "mutualise"

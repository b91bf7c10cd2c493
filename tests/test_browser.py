"""The shared page in a real browser: Debian's Chromium, headless, driven through the
system's chromedriver (Selenium never downloads one here). One browser for the whole
module; screenshots are kept in artefacts/browser/ (git-ignored).

The cases run as steps of one test: a member's link, a search of lendable equipment by
dates, a coordinator launching a group order with a carrier of their choice, then closing
it, and answering the pending loan for Riantec."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.cli.calendar_feed import serving
from handlers.web.app import WebConfig, make_app
from storage.models import Answer, Proposal, ProposalKind, ProposalParticipant, ProposalStatus
from tests.test_web import COORDINATOR, CORRESPONDENT, NOW, group_order, link_for, territory

ARTEFACTS = Path(__file__).resolve().parent.parent / "artefacts" / "browser"
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
T = TypeVar("T")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="no chromium/chromedriver on this machine (Debian packages chromium and "
        "chromium-driver; .ci/run installs them)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium at a phone's width, for every step."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or driver
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=412,915", "--lang=fr-FR", "--disable-gpu"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


async def run(call: Callable[..., T], *args: Any) -> T:
    """A blocking WebDriver call, off the loop that serves the page."""
    return await asyncio.to_thread(call, *args)


async def screenshot(driver: Any, name: str, width: int = 412) -> None:
    """A full-height picture of the page (the window stretched to the page's height), at a
    phone's width unless told."""
    await run(driver.set_window_size, width, 915)
    height = await run(driver.execute_script, "return document.body.scrollHeight")
    await run(driver.set_window_size, width, max(915, int(height)))
    await run(driver.save_screenshot, str(ARTEFACTS / f"{name}.png"))
    await run(driver.set_window_size, 412, 915)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_member_logs_in_searches_and_a_coordinator_closes(
    browser: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    await territory(sessions, accept=False)  # the loan waits for both communes' answers
    config = WebConfig(sessions, lambda: NOW, secure=False)
    async with serving(make_app(config), "127.0.0.1", 0) as port:
        site = f"http://127.0.0.1:{port}"

        async def find(selector: str) -> Any:
            return await run(browser.find_element, By.CSS_SELECTOR, selector)

        async def text() -> str:
            return str(await run(lambda: browser.find_element(By.TAG_NAME, "body").text))

        async def shows(phrase: str) -> None:
            """Wait for the page that a click loads to say `phrase` (10 s at most)."""
            from selenium.common.exceptions import WebDriverException
            from selenium.webdriver.support.ui import WebDriverWait

            def said(driver: Any) -> bool:
                return phrase in driver.find_element(By.TAG_NAME, "body").text

            wait = WebDriverWait(browser, 10, ignored_exceptions=[WebDriverException])
            await run(wait.until, said)

        # 1. A correspondent of Riantec opens their link and presses the button.
        await run(browser.get, f"{site}/connexion/{await link_for(sessions, CORRESPONDENT)}")
        await run((await find("form button")).click)
        await shows("Référencement — Lorient Agglomération")
        # The first Tab reaches the link that skips to the content.
        await run((await find("body")).send_keys, Keys.TAB)
        active = await run(lambda: browser.switch_to.active_element.text)
        assert active == "Aller au contenu"
        await screenshot(browser, "1-connexion-correspondant")

        # 2. What is free on 21 June: Lorient's barriers, 40 of them promised to Riantec.
        article = await find("#article")
        await run(article.send_keys, "barrière")
        for field in ("du", "au"):  # a date field's typing depends on the locale: set it
            await run(browser.execute_script,
                      f"document.getElementById('{field}').value = '2027-06-21'")  # fmt: skip
        await run((await find("#materiel button[type=submit]")).click)
        await shows("Ce qui se prête")
        results = await run((await find("#resultats")).get_attribute, "textContent")
        assert "Lorient" in results and "60 sur 100" in results
        assert "Clore le groupement" not in await text()  # a correspondent reads
        await screenshot(browser, "2-materiel-pretable-21-juin")
        await run((await find("button.link")).click)  # Se déconnecter
        await shows("réservée aux membres")

        # 3. A coordinator launches the group order, carried by Cléguer rather than the
        # suggested Caudan, records the price obtained and closes it.
        from selenium.webdriver.support.ui import Select

        await run(browser.get, f"{site}/connexion/{await link_for(sessions, COORDINATOR)}")
        await run((await find("form button")).click)
        await shows("coordinateur")
        order = await group_order(sessions)
        await run((await find(f"a[href='/groupements/{order.id}']")).click)
        await shows("Commune qui le porte")
        await run(Select(await find("#porteur")).select_by_visible_text, "Cléguer")
        await screenshot(browser, "3-lancer-un-groupement")
        await run((await find(f"form[action='/groupements/{order.id}/lancer'] button")).click)
        await shows("Groupement lancé")
        assert "porté : Cléguer" in await text()
        await screenshot(browser, "4-groupement-lance")
        price = await find(f"#prix-{order.id}")
        await run(price.send_keys, "1 990,00")
        await run((await find(f"#prix-{order.id} ~ button")).click)
        await shows("Prix obtenu enregistré")
        close = f"form[action='/groupements/{order.id}/clore'] button"
        await run((await find(close)).click)
        await shows("Groupement clos")
        await screenshot(browser, "5-groupement-clos")
        await screenshot(browser, "6-page-coordinateur-ecran-large", 1280)

        # 4. The coordinator answers the loan for Riantec, which has not answered it.
        async with sessions() as session:
            loan = await session.scalar(select(Proposal).where(Proposal.kind == ProposalKind.LOAN))
        assert loan is not None
        await run((await find(f"a[href='/propositions/{loan.id}']")).click)
        await shows("Répondre pour une commune")
        await screenshot(browser, "7-repondre-pour-une-commune")
        accept = "//button[normalize-space()='Accepter pour Riantec']"
        await run((await run(browser.find_element, By.XPATH, accept)).click)
        await shows("Réponse enregistrée")
        assert "réponse donnée pour elle par Lou (Lorient Agglomération)" in await text()
        await screenshot(browser, "8-reponse-pour-riantec")
    assert (await group_order(sessions)).status is ProposalStatus.DONE
    async with sessions() as session:
        answered = await session.scalar(select(ProposalParticipant.answer).where(
            ProposalParticipant.proposal_id == loan.id, ProposalParticipant.commune_insee == "56193"
        ))  # fmt: skip
    assert answered is Answer.ACCEPTED

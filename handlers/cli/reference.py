"""Commands on the reference data: `init`, `communes`, `catalogue`."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from handlers.cli.context import Context
from handlers.cli.output import number, plural, print_json, safe_url
from storage.catalogue import load_catalogue
from storage.members import communes
from storage.names import fold
from storage.reference import (
    Changes,
    catalogue_listing,
    install_catalogue,
    install_territory,
    installed_territory,
    mail_identities,
)
from storage.schema import upgrade
from storage.territory import DEFAULT_EPCI, load_territory


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the reference-data commands to the command line."""
    init = commands.add_parser(
        "init", help="crée ou met à jour la base, le territoire et le catalogue"
    )
    init.add_argument(
        "--epci",
        help="code SIREN de l'intercommunalité "
        "(par défaut : celle de la base, sinon Lorient Agglomération, 200042174)",
    )
    init.add_argument(
        "--catalogue",
        action="append",
        type=Path,
        default=[],
        metavar="FICHIER",
        help="catalogue complémentaire (TOML), répétable",
    )
    init.set_defaults(run=run_init, needs_store=False)

    listing = commands.add_parser("communes", help="liste les communes du territoire")
    listing.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    listing.set_defaults(run=run_communes)

    catalogue = commands.add_parser("catalogue", help="liste le catalogue du matériel")
    catalogue.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    catalogue.set_defaults(run=run_catalogue)


def _changes(changes: Changes) -> str:
    if not changes:
        return "déjà à jour"
    parts = []
    if changes.added:
        parts.append(plural(changes.added, "ajout"))
    if changes.updated:
        parts.append(plural(changes.updated, "mise à jour", "mises à jour"))
    return ", ".join(parts)


async def run_init(ctx: Context, args: argparse.Namespace) -> int:
    """Migrate the store to the current schema, then load the territory and the catalogue."""
    # Both sources are read before the store is touched: a wrong code creates nothing.
    catalogue = load_catalogue([*ctx.settings.catalogue_files(), *args.catalogue])
    territory = load_territory(args.epci) if args.epci else None
    ctx.ensure_creatable()
    before, after = await upgrade(ctx.engine)
    if territory is None:
        async with ctx.sessions() as session:
            installed = await installed_territory(session)
            territory = load_territory(installed.epci if installed else DEFAULT_EPCI)
    async with ctx.sessions.begin() as session:
        territory_changes = await install_territory(session, territory)
        catalogue_changes = await install_catalogue(session, catalogue)
    schema = (
        "créé" if before is None else ("à jour" if before == after else f"migré depuis {before}")
    )
    population = sum(c.population for c in territory.communes)
    out = ctx.out
    out.print(f"Base : {safe_url(ctx.settings.db)} (schéma {after}, {schema}).")
    communes_count = plural(len(territory.communes), "commune")
    out.print(
        f"Territoire : {territory.name} ({territory.epci}), {communes_count}, "
        f"{number(population)} habitants : {_changes(territory_changes)}."
    )
    out.print(
        f"Catalogue : {plural(len(catalogue.items), 'article')} en "
        f"{plural(len(catalogue.families), 'famille')} : {_changes(catalogue_changes)}."
    )
    return 0


async def run_communes(ctx: Context, args: argparse.Namespace) -> int:
    """List the communes of the territory."""
    async with ctx.sessions() as session:
        rows = sorted(await communes(session), key=lambda c: fold(c.name))
        territory = await installed_territory(session)
        mail = await mail_identities(session)
    if args.json:
        print_json(
            [
                {
                    "insee": c.insee,
                    "name": c.name,
                    "population": c.population,
                    "email_domains": mail.get(c.insee, ([], []))[0],
                    "email_addresses": mail.get(c.insee, ([], []))[1],
                }
                for c in rows
            ]
        )
        return 0
    title = f"{territory.name} ({territory.epci})" if territory else "Communes"
    table = Table(title=title)
    table.add_column("Commune")
    table.add_column("INSEE")
    table.add_column("Population", justify="right")
    table.add_column("Courriel de la mairie")
    for commune in rows:
        domains, addresses = mail.get(commune.insee, ([], []))
        table.add_row(commune.name, commune.insee, number(commune.population),
                      ", ".join([*domains, *addresses]))  # fmt: skip
    table.add_section()
    table.add_row(plural(len(rows), "commune"), "", number(sum(c.population for c in rows)), "")
    ctx.out.print(table)
    return 0


async def run_catalogue(ctx: Context, args: argparse.Namespace) -> int:
    """List the equipment catalogue, family by family."""
    async with ctx.sessions() as session:
        items, families = await catalogue_listing(session)
    total = len(items)
    if args.json:
        print_json(
            [
                {
                    "id": i.id,
                    "label": i.label,
                    "family": i.family_id,
                    "synonyms": i.synonyms,
                    "lendable": i.lendable,
                    "unit": i.unit,
                    "price": i.price,
                }
                for i in items
            ]
        )
        return 0
    table = Table(title=f"Catalogue du matériel ({plural(total or 0, 'article')})")
    for column in ("Famille", "Article", "Identifiant", "Prêtable", "Unité", "Autres noms"):
        table.add_column(column)
    for item in items:
        table.add_row(
            families.get(item.family_id, item.family_id),
            item.label,
            item.id,
            "oui" if item.lendable else "non",
            item.unit,
            ", ".join(item.synonyms),
        )
    ctx.out.print(table)
    return 0

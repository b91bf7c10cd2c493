"""The wording of a loan agreement's clauses, shared by its Word and HTML templates.

What the store does not know (the mayor's name, the delegation's number and date, where
and when each party signs) is left as a dotted blank to fill by hand before signing.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.wording import listing

BLANK = "………………………"
SHORT = "…………"
BLANK_AMOUNT = "………… €"

REPRESENTED = (
    f"représentée par son maire, {BLANK}, agissant en vertu de la délibération du conseil "
    f"municipal n° {SHORT} du {SHORT}, ou par son représentant dûment habilité par arrêté "
    f"de délégation n° {SHORT} du {SHORT}"
)
SIGNATORY = f"Le Maire (ou son représentant dûment habilité par délégation n° {SHORT} du {SHORT})"


def object_clause(lenders: Sequence[str], borrower: str, event: str, period: str) -> str:
    """Article 1: who lends to whom, for which event or use, when."""
    if len(lenders) == 1:
        who = f"la commune de {lenders[0]} met"
    else:
        who = f"les communes de {listing(list(lenders))} mettent"
    purpose = (
        f"pour la manifestation « {event} », {period}" if event else f"pour son usage {period}"
    )
    return (
        f"La présente convention a pour objet de fixer les conditions dans lesquelles {who} "
        f"à la disposition de la commune de {borrower} le matériel désigné ci-dessous, "
        f"{purpose}."
    )


HANDOVER_AT_LENDER = (
    "L'emprunteur enlève le matériel aux services techniques du prêteur et l'y restitue, à un "
    "horaire convenu entre les services, pendant leurs heures d'ouverture."
)
HANDOVER_BY_LENDER = (
    "Le prêteur livre le matériel au lieu d'utilisation indiqué par l'emprunteur et le "
    "reprend au même lieu, à un horaire convenu entre les services."
)

FREE = "Le prêt est consenti à titre gracieux, dans le cadre de la mutualisation."
PAID = (
    "Le prêt est consenti moyennant la participation suivante, calculée sur la période "
    "d'utilisation ; chaque prêteur émet, après la restitution, un titre de recettes pour "
    "sa part, payable à réception."
)
DEPOSIT = (
    "Une caution de {amount} est remise à l'enlèvement ; elle est restituée après l'état des "
    "lieux de retour, déduction faite des sommes dues au titre de l'article 6."
)
NO_DEPOSIT = "Aucune caution n'est demandée."

TRANSPORT_BY_BORROWER = (
    "L'enlèvement, le transport et le retour du matériel sont assurés par l'emprunteur, à ses "
    "frais et sous sa responsabilité, avec des moyens et un personnel adaptés ; le matériel "
    "voyage sous sa garde dès qu'il quitte les locaux du prêteur."
)
TRANSPORT_BY_LENDER = (
    "Le transport aller et retour est assuré par le prêteur, au prix indiqué à l'article 3 ; "
    "le matériel est sous la garde de l'emprunteur de la livraison à la reprise. "
    "L'emprunteur assure le montage et l'usage conformes aux notices remises par le prêteur."
)

INVENTORY = (
    "Un état des lieux contradictoire est dressé à la remise du matériel puis à sa "
    "restitution, en présence d'un agent de chaque commune, sur la fiche annexée à la "
    "présente convention : quantités, état, accessoires, réserves éventuelles. Signé des deux "
    "agents, il fait foi entre les parties. À défaut de réserve à la remise, le matériel est "
    "réputé remis en bon état ; l'emprunteur le restitue propre et dans l'état où il l'a reçu, "
    "l'usure normale exceptée."
)
INSURANCE = (
    "L'emprunteur assure le matériel de sa remise à sa restitution, au titre de sa "
    "responsabilité civile et des dommages aux biens confiés (vol, perte, dégradation), et "
    "remet l'attestation de son assureur au prêteur avant l'enlèvement. Il déclare tout "
    "sinistre à son assureur dans les délais de son contrat et en informe le prêteur sous "
    "48 heures ; en cas de vol, il porte plainte et en transmet le récépissé au prêteur. "
    "Le prêteur garantit la conformité du matériel aux règles de sécurité en vigueur."
)
DAMAGE = (
    "Toute dégradation, perte ou vol survenu entre la remise et la restitution est à la charge "
    "de l'emprunteur. Le matériel endommagé réparable est remis en état par le prêteur ou par "
    "un réparateur de son choix, aux frais de l'emprunteur, sur présentation de la facture. "
    "Le matériel perdu, volé ou irréparable est remplacé à l'identique par l'emprunteur ou lui "
    "est facturé à sa valeur de remplacement indiquée à l'article 1, diminuée de la vétusté "
    "constatée contradictoirement ; à défaut de valeur indiquée, à la valeur d'un matériel "
    "neuf équivalent. L'usure normale due à un usage conforme reste à la charge du prêteur."
)

"""The name of the event a message is about: "fête de la musique", "forum des associations"."""

from __future__ import annotations

import re
from functools import lru_cache

from handlers.reading.dates import _DAY_WORDS, _MONTH, DateFinding
from handlers.reading.text import Span

# Heads that name an event on their own, even without an article ("barnums fete musique").
_STRONG = (
    r"fetes?|festivals?|festivites|forum|kermesse|carnaval|brocante|braderie|vide[- ]greniers?"
    # parades of floats: "le corso fleuri de Guidel", "la cavalcade", "la Mi-Carême"
    r"|corsos?(?: fleuris?)?|cavalcades?|mi[- ]careme"
    # the gatherings of clubs: "le rassemblement Harley", "la bourse d'échange auto-moto", "la
    # Concentre du Blavet"
    r"|rassemblements? (?:(?:de|des|du|d') ?)?[a-z0-9-]{3,}|bourses? d'echanges?"
    r"|concentres? (?:motos? (?:(?:du|de la|des) )?|(?:du|de la|des) )[a-z-]{3,}"
    r"|marche de noel|marches? nocturnes?|telethon|fest[- ]?noz|fest[- ]?deiz"
    # (not an apology: "pardon du hors sujet", "pardon du retard", "pardon de vous déranger")
    r"|pardons? (?:de|du|des)(?! ?(?:hors|retard|derangement|doublon|delai|message|mail|oubli"
    r"|vous|te|t'|la gene|l'attente|ce |cette|mon|ma |mes|ne |n'|avoir|repondre|deranger"
    r"|relancer|insister|reponse|double|coquille|faute|erreur)\b)"
    r"|feux? d'?\s?artifice"
    r"|comices?(?: agricoles?)?|lotos?|bingos?|v(?:oe|o)ux|galette des [a-z]+"
    r"|repas des (?:aines|anciens)"
    r"|cinema (?:en )?plein air|expo(?:sition)? (?:photos?|de [a-z]+|d'[a-z]+)"
    r"|chasse (?:aux |a l'\s?)o?e?ufs?"
    r"|presidentielles?|legislatives|municipales|europeennes|regionales|departementales"
    r"|jep|jdp"  # the Journées européennes du patrimoine, as their organisers write them
    # national campaigns the communes join
    r"|mai a velo|semaine (?:europeenne )?de la mobilite|journees? sans voitures?"
    r"|fete du velo|cyclistes,? brillez|world clean ?up day|nettoyons la nature"
    r"|octobre rose|fete de la science|semaine bleue"
    # the beer festivals named after Munich's: "l'Oktoberfest de Caudan"
    r"|oktoberfest"
    # the names coined on "festival": "Festi'Vert", "festi'mômes", "Festiv'été"
    r"|festiv?'[a-z]{3,}"
    # a town's own occasions: "vin d'honneur samedi", "la parade", "la consultation citoyenne",
    # "le conseil municipal du 1er juillet" (not "le conseil municipal a voté l'achat")
    r"|(?<=pour )vins? d'honneur|(?<=pour le )vin d'honneur|(?<!-)parades?|cabarets?"
    r"|consultations? citoyennes?|vins? chauds?(?= (?:de|du|d') ?noel)|mardi[- ]gras"
    r"|courses? des \d+ [a-z]{3,}|(?<=pour la )galette\b(?! (?:des|de|aux|a la|au)\b)"
    r"|conseils? municipa(?:l|ux)(?= (?:du|de [a-z-]+ (?:du|le|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche)|le|ce|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|se reunira|aura lieu|est prevu|est fixe)\b)"
    r"|(?<=le )conseil(?= du \d{1,2}\b)"
    # a choir or a band on the road: "la tournée d'été", "part en tournée"
    r"|tournees? (?:d'ete|d'hiver|de printemps|d'automne|de concerts?)|(?<=en )tournee"
    r"|referendum"
    r"|reunion publique|spectacle de noel|arbre de noel|goûter de noel|gouter de noel|fete"
    r"|vide[- ]?maisons?|vide[- ]dressings?"
    r"|bourse aux [a-z]+|course des [a-z]+|course de [a-z]+|foulees"
    r"|jeux (?:inter[- ]?villages|intervillages)|kermesses?"
    r"|bal (?:populaire|(?:du|des|de la|de l') ?[a-z0-9]+)"
    r"|troc aux [a-z]+|noel des [a-z]+|sortie des [a-z]+|fete des [a-z]+|fete de la [a-z]+"
    r"|conferences?|colloques?|seminaires?|assemblee generale|salon des [a-z]+"
    r"|repas (?:des|du|de la|de l') ?[a-z]+|tournois?(?: de [a-z]+)?|concours (?:de|des) [a-z]+"
    r"|joutes(?: nautiques)?|journees? (?:decouverte|d'initiation|initiation)"
    r"|gala(?: de [a-z]+)?"
    r"|foire|triathlon|marathon|semi[- ]marathon|trail|rallye|festoz|the dansant|thes dansants"
    # the runs and races of the sports calendar: "la Corrida de Noël", "le cross inter-écoles"
    r"|corrida (?:de|des|du) [a-z]+|swimrun|duathlon|aquathlon|cross (?:inter[- ]?[a-z]+|du [a-z]+"
    r"|des [a-z]+|de [a-z]+)|raid (?:du|des|de) [a-z]+|ronde des [a-z]+"
    # the street-arts festival, the neighbourhood meal, the drinks of the school year
    r"|arts de la rue|repas de quartier|repas de (?:fin d'annee|noel|rentree|printemps|l'amicale)"
    r"|pots? (?:de|du|d') ?(?:rentree|depart|fin d'annee|l'amitie"
    r"|accueil|noel|retraite)"
    # "le semi de Lorient", "annulez la tribune pour le cross": a run named by its kind
    r"|semi (?:de|du|d') ?[a-z]+|(?:(?<=pour le )|(?<=du )|(?<=au ))cross\b"
    # "le cross est reporté", "le cross aura lieu au stade"
    r"|(?<=le )cross(?= (?:est|a|sera|aura|se|ne|n'|prevu|reporte|annule)\b)"
    r"|traversee (?:de la|du|des) [a-z]+"
    r"|bain (?:du nouvel an|de noel|de la (?:saint|st|sainte|ste)[- ][a-z]+)"
    # "compétition de gym rythmique le 13 mars"
    r"|competitions? (?:de|d') ?[a-z]{3,}"
    # the public's part in a town's plans: "l'atelier participatif du PLU", "une balade urbaine",
    # "la réunion de lancement de la révision du PLU", "un world café"
    r"|ateliers? participatifs?|balades? (?:urbaines?|diagnostics?|contees?|nocturnes?)"
    r"|reunions? de (?:lancement|restitution|concertation|quartier)|world cafe"
    # the sky watched: "la soirée d'observation de Saturne", "l'observation publique de
    # l'éclipse"
    r"|(?:soirees?|nuits?) d'observation|observations? (?:publiques?|de l'\s?eclipse|du ciel"
    r"|des etoiles)"
    # the markets of a season: "le marché d'automne" (not "un marché de fournitures")
    r"|marches? d'(?:automne|hiver)|marches? de (?:printemps|producteurs|pays)"
    r"|semaine de l'\s?[a-z]{3,}|jour de la nuit|rentree des (?:assos|associations|clubs)"
    # the school year's days: "la sortie d'intégration des 6e", "la journée olympique", "leur
    # comédie musicale"
    r"|(?:sorties?|journees?) d'integration|journees? (?:sportives?|olympiques?|des langues)"
    r"|comedies? musicales?"
    r"|grand prix(?: (?:de|du|d') ?[a-z-]+)?"
    r"|gp (?:de|du|d') ?[a-z-]+|cine(?:ma)? (?:en )?plein air"
    r"|exposition sur (?:la |le |les |l')?[a-z]+|(?:matinee |journee )?portes ouvertes"
    r"|exercices? (?:pcs|d'evacuation|de crise|incendie|grandeur nature|de securite civile)"
    r"|collecte de sang|don du sang|courses? cyclistes?|course a pied"
    r"|printemps des [a-z]+|lecture en plein air|lectures? publiques?"
    r"|randos? (?:vtt|pedestres?|gourmandes?|nocturnes?|cyclos?|velo)"
    r"|randonnees? (?:vtt|pedestres?|gourmandes?|nocturnes?|cyclos?|velo)"
    r"|cinema en plein air|village de noel|semaine (?:du|de la|des) [a-z]+"
    r"|ceremonies?|commemorations?|inaugurations?|bourse aux [a-z]+|galette des rois|halloween"
    r"|reveillon|journees? (?:du patrimoine|citoyenne|portes ouvertes|des associations"
    r"|sans voitures?)"
    r"|nuits? (?:du|de la|des) [a-z]{3,}"
    r"|salon (?:du|de la|des) [a-z]+|concert|feu de la (?:saint|st)[- ]jean"
    r"|elections?(?:\s+(?:municipales|legislatives|presidentielles?|europeennes"
    r"|departementales|regionales))?|v(?:oe|o)ux\s+du\s+maire|gouter\s+des\s+aines"
    # "un podium pour le 14 juillet": the national day is the occasion
    r"|(?<=pour le )(?:14 juillet|11 novembre|8 mai)"
    # ceremonies and their days, family and official occasions, youth stays and outings
    r"|(?:ceremonie|commemoration|celebration)s? du (?:8 mai|11 novembre|14 juillet|19 mars"
    r"|18 juin|8 juin|5 decembre|25 septembre)"
    r"|(?<=du )(?:8 mai|11 novembre|14 juillet)(?= (?:prochain|a|au|avec|:|,)|$)"
    r"|mariages?|noces d'(?:or|argent|diamant|platine)|bapteme republicain|parrainage civil"
    r"|visite (?:officielle|ministerielle|(?:du|de la|de l'|des|de m\.?|de mme)\s?(?:sous-prefete?"
    r"|prefete?|deputee?|senat(?:eur|rice)|ministre|pere noel|saint nicolas|presidente?"
    r"|delegation(?: [a-z]+)?|correspondants?))"
    r"|sejours? (?:ski|neige|au ski|a la neige|a la mer|a [a-z-]+|en [a-z-]+)"
    r"|(?:mini[- ])?camps? (?:d'ete|ados?|nature|vacances)|mini[- ]camps?|raid (?:aventure|nature)"
    r"|guinguette|boum(?: de [a-z]+)?|color run|(?:sainte|ste)[- ]barbe|(?:saint|st)[- ]patrick"
    r"|octobre rose"
    r"|semaine bleue|seance du conseil(?: municipal)?|enquete publique|lancement des illuminations"
    # national cultural and civic programmes a library or a school takes part in
    r"|mois du film documentaire|nuits? de la lecture|partir en livre|printemps des poetes"
    r"|fete de la science|rendez-vous aux jardins|fete du livre|savoir rouler|grande lessive"
    r"|semaine europeenne (?:du developpement durable|de (?:la )?reduction des dechets"
    r"|de la mobilite)|serd|world clean ?up day|wcud|fete de la nature"
    r"|vente de crepes|fete des voisins|permis velo|soiree (?:cine|cinema|jeux|des [a-z]+)"
    # an open-air screening's name: "Ciné-Plage", "le Ciné Bocage", "Ciné au Port", "Ciné'Mouv"
    r"|cine[- '](?:(?:au|de|du|sous les) )?(?!(?:le|la|les|des|a|et|en|ce|cet|cette|pour|par"
    r"|avec|sur|dans|qui|que|est|sera|aura|on|nous|il|plein|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche|ce|demain|soir)\b)[a-z]{3,}"
    r"|soiree (?:crepes|beaujolais|raclette|choucroute|dansante|galettes)|chandeleur"
    r"|(?:saint|st)[- ]valentin|assemblee generale|ag (?:du|de la|de l') [a-z]+"
    # the protocol's occasions: "l'accueil des nouveaux arrivants", "la remise des médailles du
    # travail", "l'anniversaire de la Libération", "la pose de la première pierre"
    r"|accueil des nouveaux (?:arrivants|habitants|residents)|pose de la premiere pierre"
    r"|remise (?:des|de la|de) (?:medailles|decorations|prix|diplomes|insignes|recompenses"
    r"|legion)|anniversaire de la liberation|installation du (?:nouveau )?conseil"
    r"|reception (?:de la|des|du) (?:delegations?|correspondants|villes jumelles)"
    r"|journee (?:nationale )?du souvenir"
    # the sports calendar's titles: "la finale de la coupe du Morbihan", "les 10 km de Lorient"
    r"|finales? (?:de la|du|des|de) [a-z]+|coupe (?:du|de la|de l'|d') ?(?!bois\b)[a-z]+"
    r"|championnats? (?:de|du|des|d') ?[a-z]+|trophees? (?:de|du|des|d') ?(?:\d+ )?[a-z]+"
    # the boules and palet calendar: "le national de pétanque", "le 20e Open de palet", "le
    # Challenge de la Petite Mer", "le qualificatif départemental", "les Estivales de la boule"
    r"|nationals? (?:de|du|d') ?[a-z]+|open (?:de|du|d') ?[a-z]+"
    r"|challenge (?:de la|de l'|du|des|de) ?[a-z]+|qualificatifs? [a-z]+"
    r"|estivales (?:de la|de l'|du|des|de) ?[a-z]+"
    r"|nocturne (?:de|du|d') ?(?!(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|demain)\b)[a-z]+"
    r"|(?<![\d,.])\d{1,3} km (?:de|du|d') ?[a-z]+|chasse aux [a-z]+"
    r"|(?:fete des )?battages"
    # the Church's year and rites as parishes and their town halls write them: "la procession
    # des Rameaux", "le mercredi des Cendres", "la messe de l'Assomption", "pardon dimanche 1er
    # août", "la première communion"
    r"|process?ions? (?:de|du|des|de la|de l') ?[a-z-]+|messes? (?:de|du|des|de la|de l')"
    r" ?[a-z-]+|mercredi des cendres|(?:dimanche des )?rameaux|assomption|vendredi saint"
    r"|(?:premieres? )?communions?|(?:profession de foi)|veillee pascale"
    r"|(?:(?<=, )|(?<=^)|(?<=\n))pardon(?= (?:ce |le )?(?:lundi|mardi|mercredi|jeudi|vendredi"
    r"|samedi|dimanche)\b)"
    # the job fairs' names: "le job dating nautisme", "la matinée emploi", "Start-up Day"
    r"|job ?datings?(?: [a-z]+)?|matinees? (?:emploi|recrutement|de l'emploi)|start-?up days?"
    r"|forums? (?:de l'emploi|emploi|des metiers|de l'alternance)|mois du doc"
    # travelling shows: "le Cirque de Noël", "cirque à Lanvaudan du 6 au 12 sept"
    r"|cirques?(?: (?:de|du|des) (?!(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|demain|ce|cette|cet)\b)[a-z]+)?|fetes? foraines?"
    r"|bretagne classic|grand prix (?:de|du) [a-z-]+|gp (?:de|du) [a-z-]+"
    r"|expos? (?:des|de la|du|sur la|sur le|sur les) [a-z']+(?: [a-z']+)?"
    r"|marches? (?:de producteurs|bio|artisanal|du terroir|aux puces)|fermes? ouvertes?"
    r"|marches? (?:de|des|du) (?:printemps|producteurs|createurs|artisans|saison|plein vent"
    r"|terroir|potiers|fleurs|plantes)"
    r"|concours (?:departemental|regional|cantonal|agricole|hippique|de labour|ovin|bovin)"
    r"|ronde des fermes|fete du cheval|fete de la pomme|fete du cidre|foire aux [a-z]+"
    # the sea and the school year
    r"|regates?|benediction (?:de la mer|des bateaux|des [a-z]+)|trophee(?= d'| de | du | des )"
    r"|(?:operation |journee )?nettoyage (?:des plages|de la plage|de plage|du port|des berges"
    r"|citoyen)|sorties? (?:velo|rando|kayak|nature|plage|vtt)"
    r"|classes? (?:de mer|de neige|verte|de decouverte|transplantees?|de voile|nature)"
    # solidarity: national collections, parcels, the elders' outings
    r"|collectes? (?=nationale|des restos|de la banque|banque alimentaire|de jouets|alimentaire)"
    r"|distributions? (?:des|de) colis"
    r"|(?:gouter|pique[- ]nique|rentree|repas|marche|journee|vente|dejeuner|diner|noel) solidaire"
    r"|repas (?:annuel |champetre )?des (?:aines|anciens)|repas champetre"
    r"|(?:cine(?:ma)?|sortie|voyage|gouter|banquet|spectacle|noel) des (?:aines|anciens|seniors)"
    r"|journee intergenerationnelle|sejours? seniors?"
    # twin towns: "la Semaine allemande", "une soirée galloise", "les 30 ans du jumelage"
    r"|(?:semaine|quinzaine|journee|soiree|fete|nuit|mois|week-end|village|marche)s?"
    r" (?:allemande?|espagnole?|polonaise?|galloise?|irlandaise?|ecossaise?|italienne?"
    r"|portugaise?|anglaise?|britannique|europeenne?|celtique|bretonne?|basque|galicienne?)"
    r"|\d+ ans (?:du|de la|de l'|des|de notre|de son|de sa|de leur) ?[a-z]+"
    r"|\d+(?:e|eme) anniversaire (?:du|de la|de l'|des) ?[a-z]+"
    # the season of lights
    r"|parades? (?:lumineuses?|de noel|nocturnes?)|balades? aux lanternes|illumination du sapin"
    r"|creches? vivantes?|(?:descente|retraite|marche)s? aux flambeaux"
    # health, prevention and civil protection: blood drives, vaccination and screening days,
    # first-aid trainings, drills, outreach in the cold
    r"|collectes? (?:efs|de sang|du sang|de noel)|vaccinations?|depistages?"
    r"|(?:seance|campagne|journee|semaine|permanence|stand|village|forum|atelier)s?"
    r" (?:de |d')?(?:vaccination|depistage|prevention|sensibilisation|sport[- ]sante)"
    r"|(?:journee|semaine|marche|parcours)s? (?:sport[- ]sante|bien[- ]etre)"
    r"|formations? (?:aux |de )?(?:premiers secours|gestes (?:qui sauvent|de premiers secours))"
    r"|gestes qui sauvent|formations? (?:psc1|pse1|pse2|sst|incendie|defibrillateur|secourisme)"
    r"|exercices? (?:d'|de )?(?:inondation|submersion|tempete|canicule|tsunami)"
    r"|maraudes?(?: (?:grand froid|hivernales?|de nuit|solidaires?))?"
    r"|marches? (?:roses?|bleues?|nordiques?|solidaires?)"
    r"|journees? (?:mondiales?|nationales?|europeennes?) (?:du |de la |de l'|des |contre )?[a-z-]+"
    # events that travel across communes: a cycling tour by stages, a relay race, a hike
    r"|tours? cyclistes?|relais (?:des|de) (?:\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix)"
    r" (?:communes|villes|villages|clochers)|randos? (?:des|du|de la) [a-z]{3,}"
    r"|randos? intercommunales?|randonnees? intercommunales?|(?:fetes? )?medievales?"
    # the scouts' great game: "grand jeu scouts dans le bourg", "le grand jeu de nuit"
    r"|grands? jeux? (?:scouts?|de nuit|de piste|nocturnes?|de l'ete|de rentree)"
    # what dog clubs run: "le cani-cross du 2 mai", "notre canirando"
    r"|cani[- ]?(?:cross|rando|randonnee|vtt|trail|marche)s?"
    # "le Mois de la photo", "le mois sans tabac" (not "le mois de mai")
    r"|mois (?:de la|de l'|du|des|sans) ?[a-z]{3,}"
    # "l'expo canine", "une exposition avicole", "l'expo féline et canine" (not the sun's)
    r"|expo(?:sition)? (?!solaire)[a-z]{3,}(?:ine|ale|ique|ole|aire)s?(?: et [a-z]{3,})?"
)
# Heads that name an event only after an article or a possessive ("la course", "notre repas").
_WEAK = (
    r"course|cross|formation|randonnee|rando|concert|spectacle|bal|gala|salon|tournoi|championnat"
    r"|competition|repas|banquet|soiree|nuit|journees?|ceremonie|commemoration|inauguration"
    r"|exposition|expo|animations?|celebration|rencontres?|marche|cinema en plein air"
    r"|jumelage|regate|regates|defile|concours|rassemblement|fete foraine|pique[- ]nique|stage"
    r"|audition|spectacle|represention|representation|kermesse|veillee|apero|aperitif"
    r"|eclipse|balade|challenge|traversee"
)
# "un marché en cours", "le marché public": a contract, not a market.
_CONTRACT = (
    r"(?! (?:en cours|public|publics|de fournitures?|de services|de travaux|existant|actif"
    r"|de produits?|d'achats?|de location|de maintenance|de nettoyage|d'entretien"
    r"|attribue|passe|negocie|a bons de commande|commun|communs|groupe|mutualise))"
)
# The same heads opening a line or what a colon announces, as headlines do ("Info : balade
# canine des Gabelous le 15 août", "Journée du chien guide le 29 mai"): read where nothing
# else names the event ("Riantec : spectacle de marionnettes pour le Téléthon").
_WEAK_HEAD = rf"(?P<head>(?:{_WEAK}))\b{_CONTRACT}"
# ("Ploemeur – journée des moulins 19/06 : besoin…", "28 août = journée sécurité plage")
_HEADLINE_RE = re.compile(
    rf"(?:^|(?<=\n)|(?<!programme : )(?<=: )|(?<=[a-z0-9] - )|(?<= = )){_WEAK_HEAD}"
)
_DETERMINER = (
    r"(?:(?:le|la|les|notre|nos|un|une|du|des|de la|au|aux|a la|pour le|pour la|pour les"
    r"|pr le|pr la|pr les|son|sa|ses|leur|cette|ce|prochaine?)\s+|l'\s*|l\s)"
)
# "comité des fêtes", "salle des fêtes" name a body or a room, not an event.
_STRONG_RE = re.compile(
    # (each name starts a word: other places are passed over before the checks behind)
    r"\b(?=[a-z0-9])"
    rf"(?<!comite des )(?<!salle des )(?<!salles des )(?<!service des )(?<!services des )"
    rf"(?<!ecole de )(?<!ecoles de )"  # "l'école de cirque Les Saltimbanques" teaches
    rf"(?<!joyeuses )(?<!bonnes )(?<!belles )"  # "joyeuses fêtes" greets
    # and so do "nos meilleurs vœux", "présenter nos vœux" (not "nos vœux sont décalés")
    rf"(?<!meilleurs )(?<!bons )(?<!sinceres )(?<!presenter nos )(?<!presenter mes )"
    rf"\b(?:{_STRONG})\b"
    # "la chorale fête ses 20 ans", "notre chorale, qui fête cette année ses 40 ans": the verb
    r"(?<!\bfete(?= (?:ses|son|sa|leurs?|nos|notre) ))(?<!\bqui fete)(?<!\bon fete)"
)
# "Riantec ouvre le bal de l'expo": to open the ball is to go first.
_WEAK_RE = re.compile(
    rf"(?<!ouvre )(?<!ouvrent )(?<!ouvrir )(?<!ouvrira )"
    # (an adjective may come between: "un petit spectacle de baby-gym")
    # ("le 12e salon photographique": its edition too)
    rf"\b{_DETERMINER}(?:\d{{1,2}}(?:e|eme|ere)\s+)?"
    rf"(?:(?:petite?|grande?|beau|belle|traditionnel(?:le)?|annuel(?:le)?)\s+)?{_WEAK_HEAD}"
)
_CALENDAR = (
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|fevrier|mars|avril|mai|juin"
    r"|juillet|aout|septembre|octobre|novembre|decembre|prochain|prochaine|dernier|derniere"
    r"|fin|debut|mi|courant"
)
_NOT_NAME = (
    r"le|la|les|pour|qui|aura|se|prevu|prevue|organise|organisee|organises|organisees|du|au|a"
    r"|et|sur|dans|en|avec"
    r"|nous|on|ce|cette|il|elle|est|sera|de|des|aux|un|une|d|l|annuel|annuelle|habituel"
    r"|habituelle|seulement|uniquement|entiere|bonjour|bonsoir|madame|monsieur|merci"
    r"|auront|aura|aurait|n'est|n'a|ont|sont|commence|debute|demarre|approche|arrive|tombe"
    r"|reste|passe|aussi|egalement|si|car|mais|ou|donc|qui|que|dont|prevus?|prevues?"
    r"|chaque|tous|toutes|comme"
    # "pour la fête de la musique faudrait 2 sonos": the request goes on
    r"|faut|faudrait|faudra|voudrait|voudrions|souhaite|souhaiterait|cherche|cherchons|besoin"
    r"|serait|pourrait|svp|stp|dispo|dispos|disponible|disponibles|revient|reviendra|reprend"
    rf"|complete|{_CALENDAR}"
    # "fête de la pomme finie !", "chasse à l'oeuf demain au parc": the event's name has ended
    r"|finie?s?|terminee?s?|bouclee?s?|etant|s'est|c'est|demain|hier|aujourd'hui|apres-demain"
    r"|annulee?s?|reportee?s?|maintenue?s?|decalee?s?"
    # dictated: "la course des familles euh le dimanche dix"
    r"|euh|heu|hein|quoi|bon|ben|bah|voila"
    # "le Trophée des Rias partira de Brandérion": what the event will do is not its name
    r"|partira|partiront|commencera|commenceront|debutera|demarrera|passera|passeront|arrivera"
    r"|traversera|rassemblera|reunira|accueillera|proposera|fetera|celebrera"
    # any verb in the future ("la coordination du Téléthon organisera sa journée"), and the
    # adverbs that go on with the sentence ("pour la fête de la musique finalement")
    r"|(?!opera\b|camera\b|riviera\b)[a-z]{2,}(?:eront|era|iront|ira)"
    r"|finalement|encore|toujours|alors|plutot|vraiment|desormais|egalement"
    # an abbreviated day or month ends it: "l'Oktoberfest de Caudan sam 9/10"
    r"|lun|ven|sam|dim|janv|fev|avr|juil|sept|oct|nov|dec"
)
# Where an event takes place is not part of its name ("collecte de sang à la salle des fêtes").
_PLACES = (
    r"salles?|place|cour|mairie|gymnase|stade|port|plage|eglise|parc|halle|maison|espace"
    r"|complexe|terrain|bourg|parvis|esplanade|citadelle|quai|centre"
)
# What may follow the head and still be part of the name.
_TAIL = re.compile(
    rf"(?:[ \t]+(?:de[ \t]+la|de[ \t]+l'|des|du|de|d'|(?:aux|au|a[ \t]+la|en)(?=[ \t]+"
    # ("le char du carnaval en panne": a state, not the name)
    rf"(?!(?:{_PLACES}|panne|cours|attente|plus|retard|rab|stock|vente|tout)\b)))\b[ \t]*"
    rf"(?!(?:{_CALENDAR})\b(?! d'annee| de saison| d'ete| de stage| de cycle))"
    rf"(?!(?:premier|{_DAY_WORDS})\s+{_MONTH})"  # "la cérémonie du cinq décembre": a day
    rf"[a-z][a-z'-]*(?:[ \t]+(?!(?:{_NOT_NAME})\b(?<!fin d'annee))[a-z][a-z'-]{{2,}})?"
    rf"|[ \t]+(?!(?:{_NOT_NAME})\b)(?:[a-z][a-z'-]{{3,}}))"
)
# Holidays that are part of a name ("festivités du 14 juillet").
_HOLIDAY = re.compile(
    r"\s+(?:du|de)\s+(?:14\s+juil(?:let)?|15\s+aout|1er\s+mai|8\s+mai|11\s+nov(?:embre)?)"
    r"(?![a-z])"
)


def _named(folded: str, end: int) -> bool:
    """A common word ("journée", "repas") names an event only with more words after it."""
    tail = _TAIL.match(folded, end)
    return bool(tail and tail.end() > end) or _HOLIDAY.match(folded, end) is not None


# "les Médiévales d'Hennebont auront lieu…", "La Bretagne Classic aura lieu…": the name is
# what takes place.
_TAKES_PLACE = re.compile(
    r"\b(?:le|la|les|l')\s*(?P<name>[a-z][a-z'-]+(?:\s+(?!aura|auront|se\b)[a-z'-]+){0,4}?)"
    r"\s*(?:[(,][^()\n]{0,60}[),]\s*)?(?:aura|auront) lieu|\b(?:le|la|les|l')\s*"
    r"(?P<other>[a-z][a-z'-]+(?:\s+[a-z'-]+){0,4}?)\s+(?:se deroulera|se derouleront|se tiendra"
    r"|se tiendront)\b"
)


# "la Ville d'Hennebont organise la course Octobre rose le dimanche 18", "accueille les
# Virades de l'espoir le 27": what the commune organises or hosts, named up to its date.
_NAME_STOP = (
    r"le|la|les|l'|un|une|du|au|aux|a|sur|en|pour|dans|avec|qui|et|ce|cette|des|depuis|avant"
    r"|apres|autour|place|salle|parc|plage|stade|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche|prochain|prochaine|ce|cet"
)
_HOSTS = re.compile(
    r"\b(?:organise|organisons|organisent|organisera|organiserons|accueille|accueillons"
    r"|accueillent|accueillera|accueillerons"
    # "le verger fait sa journée jus de pomme", "l'APE fait son loto le 25 avril"
    r"|fait(?=\s+(?:sa|son|ses|leur)\s)|font(?=\s+leurs?\s))\s+(?:la|le|les|sa|son|ses|notre|nos|leur|leurs|un"
    r"|une)\s+"
    rf"(?P<name>(?P<head>(?!(?:{_NAME_STOP})\b)[a-z][a-z'-]{{2,}})"
    rf"(?:\s+(?:(?:de\s+la|de\s+l'|des|du|de|d')\s*)?(?!(?:{_NAME_STOP})\b)[a-z][a-z'-]{{1,}}){{0,4}})"
)


# "pour la sortie du CMJ le samedi 13 mars", "pour les arts de la rue les 3-4 juillet": what
# the equipment is for, named right before its date.
_FOR_THE = re.compile(r"\bpour\s+(?:(?:les|le|la|leur|notre|nos|son|sa)\s+|l'\s*)")
_LEAD_IN = re.compile(
    r"[\s,]*+(?:(?<![a-z'-])(?:du|de|des|le|les|ce|cette|qui a lieu|prevue? (?:le|du)|de la|de l'"
    r"|d'))?\s*+$"
)


def event_before_date(
    folded: str, original: str, dates: list[Span], taken: list[Span], proper: frozenset[str]
) -> tuple[str, Span] | None:
    """The name of what is prepared for, said right before a date."""
    for lead in _FOR_THE.finditer(folded):
        for date in dates:
            if not 0 < date.start - lead.end() <= 60:
                continue
            gap = folded[lead.end() : date.start]
            tail = _LEAD_IN.search(gap)
            name_end = lead.end() + (tail.start() if tail else len(gap))
            words = folded[lead.end() : name_end].split()
            if not 1 <= len(words) <= 6 or any(
                w in _NOT_EVENT or w.rstrip("sx") in _NOT_EVENT for w in words[:1]
            ):
                continue
            if words in (["week-end"], ["we"], ["weekend"]):
                continue  # "pour le week-end du 28-29 août": when, not what
            if any(lead.end() <= t.start < name_end for t in taken) or "\n" in gap:
                continue
            # "pour les marchés de Noël, dispo à partir du 1er": a comma ends the name
            named = folded[lead.end() : name_end].split(",")[0]
            name_end = lead.end() + len(named.rstrip(" ?!;(:-"))
            if _BREAK.search(folded, lead.end(), name_end):
                continue  # "pour la crèche ? 5 seraient parfaits, du 3 au 7 mai"
            return _as_written(original, lead.end(), name_end, proper), Span(lead.end(), name_end)
    return None


_BREAK = re.compile(r"[?!;]|\.\s")  # "pour le départ et l'arrivée. Livraison le 1er": two sentences


# What takes place on a day but is no event: a visit, works.
_NOT_HAPPENING = frozenset(
    """
    controle controles visite visites passage intervention livraison verification inspection
    travaux nettoyage elagage entretien chantier reunion collecte ramassage distribution
    installation montage demontage enlevement retrait restitution recuperation
    """.split()
)
# Places and works are what equipment is for, not events.
_NOT_EVENT = frozenset(
    """
    matin soir midi journee semaine mois annee week weekend periode salle place parc stade
    gymnase ecole eglise chapelle mairie complexe terrain plage port halle bourg quartier rue
    parking foyer camping cour jardin parvis esplanade travaux nettoyage elagage entretien
    stationnement circulation securite reunion collecte ramassage distribution controle
    controles visite visites passage intervention livraison verification inspection
    demenagement chantier pose depose installation montage renovation reparation remplacement
    securisation delimitation accueil commune ville services service equipe agents classe
    cale cales quai quais ponton pontons poste postes vestiaires bureau bureaux locaux atelier
    ateliers semi-rigide bateau vehicule besoins saison etape etapes
    public publics visiteurs habitants familles
    """.split()
)


# A message asks it twice or more of the same text (the event, then what its name covers).
@lru_cache(maxsize=16)
def find_event(folded: str, original: str, proper_names: frozenset[str]) -> tuple[str, Span] | None:
    """The first event named in the text, as written, in lower case but for proper names."""
    candidates = [(m.start(), m.end()) for m in _STRONG_RE.finditer(folded)]
    candidates += [
        (m.start("head"), m.end("head"))
        for m in _WEAK_RE.finditer(folded)
        if _named(folded, m.end("head"))
    ]
    candidates += [
        (m.start("head"), m.end("head"))
        for m in _TITLED_RE.finditer(folded)
        if _TITLE.match(original, m.end("head")) or _bare_title(original, m, proper_names)
    ]
    candidates += [
        (m.start("head"), m.end("head"))
        for m in _QUOTED_HEAD_RE.finditer(folded)
        if original[m.end("head") :].lstrip(" \t").startswith("«")
        and _TITLE.match(original, m.end("head"))
    ]
    if not candidates:
        candidates += [
            (m.start("head"), m.end("head"))
            for m in _HEADLINE_RE.finditer(folded)
            if _named(folded, m.end("head"))
        ]
    # "la crèche fête ses 20 ans": the anniversary is the event
    candidates += [m.span("name") for m in _ANNIVERSARY.finditer(folded)]
    # "la collecte de Brandérion jeudi", said by donors: the blood drive, by its head alone
    drives = {m.start(): m.end() for m in _DRIVE.finditer(folded)} if _BLOOD.search(folded) else {}
    named_already = {start for start, _ in candidates}  # "collecte EFS" names itself
    drives = {start: end for start, end in drives.items() if start not in named_already}
    candidates += list(drives.items())
    # "l'opération Blavet propre": an operation named by a capitalised name
    candidates += [
        m.span() for m in _CAMPAIGN.finditer(folded)
        if original[m.end() : m.end() + 2].strip()[:1].isupper()
    ]  # fmt: skip
    # "le Tour de Bretagne", "les Boucles du Blavet", "la Retro Gaming Party": a proper name,
    # its words capitalised, read to its last capitalised word
    proper = {
        m.start(): m.end()
        for m in _PROPER_NAME.finditer(original)
        if folded[m.start() : m.start() + 1].strip() and _proper_name(m)
    }
    # "la 4e édition de La Scorvipontaine", "la 5e édition du Festi'Scorff": what follows
    for edition in _EDITION.finditer(folded):
        if not any(start == edition.end() for start, _ in candidates):
            name = _NAME_WORDS.match(original, edition.end())
            if name is not None:
                proper[edition.end()] = name.end()
    candidates += [(start, end) for start, end in proper.items()]
    acronym = _ACRONYM.search(original)
    if acronym is not None and all(acronym.start() < start for start, _ in candidates):
        return _ACRONYMS[acronym.group()], Span(*acronym.span())
    for start, head_end in sorted(candidates):
        if proper.get(start) == head_end:  # a name, as its capitals write it
            return " ".join(original[start:head_end].split()), Span(start, head_end)
        if drives.get(start) == head_end:
            return folded[start:head_end], Span(start, head_end)
        title = _TITLE.match(original, head_end) or _BARE_TITLE.match(original, head_end)
        end = title.end() if title else _extent(folded, head_end)  # folded: no quote marks
        # "le festival Les Insolites", "le tournoi Smash Bros": a capitalised name after the head
        named = None if title else _NAME_AFTER.match(original, head_end)
        end = max(end, named.end()) if named else end
        # "l'expo photo en plein air « Regards sur le Blavet »": its title, whole
        quoted = _GUILLEMETS.match(original, end)
        opened = original.rfind("«", start, end) > original.rfind("»", start, end)
        closing = original.find("»", end, end + 80) if opened else -1
        if quoted is not None:
            end = quoted.end()
        elif closing >= 0 and "\n" not in original[end:closing]:
            end = closing + 1
        return _as_written(original, start, end, proper_names), Span(start, end)
    played = _PLAYS.search(original)
    if played is not None:
        start, end = played.span("name")
        return _as_written(original, start, end, proper_names), Span(start, end)
    hosted = _HOSTS.search(folded)
    if hosted is not None and hosted.group("head") not in _NOT_EVENT:
        start, end = hosted.span("name")
        return _as_written(original, start, end, proper_names), Span(start, end)
    place = _TAKES_PLACE.search(folded)
    if place is not None:
        group = "name" if place.group("name") else "other"
        start, end = place.span(group)
        if folded[start:end].split()[0] in _NOT_HAPPENING:
            return None  # "le contrôle annuel des buts aura lieu le 11": a visit
        return _as_written(original, start, end, proper_names), Span(start, end)
    for titled in _FOR_A_TITLE.finditer(original):
        start, end = titled.span("name")
        if not any(w.lower() in proper_names for w in original[start:end].split()):
            return _as_written(original, start, end, proper_names), Span(start, end)
    for quoted in _QUOTED_TITLE.finditer(original):
        # "contest skate "Lanester Street Session" le 17 avril": a capitalised title in quotes
        start, end = quoted.span("name")
        if _A_BODY_BEFORE.search(folded, max(0, start - 40), start):
            continue  # the club "Les Genêts d'Or", the troupe « Les Zazous »: who, not what
        if folded[start : start + 1].strip() and original[start:end].lower() not in proper_names:
            return " ".join(original[start:end].split()), Span(start, end)
    return None


_GUILLEMETS = re.compile(r"[ \t]*«[^»\n]{1,80}»")
# Blood donors' words: where they are, "la collecte" is the blood drive.
_BLOOD = re.compile(r"\b(?:sang|donneurs?|efs|don du sang|dons du sang|donneuses?)\b")
_DRIVE = re.compile(
    r"\bcollectes?\b(?! (?:de|des|du|d') ?(?:dechets|encombrants|ordures|verre|papiers?|textiles?"
    r"|jouets|vetements|dons|fonds|sapins|bouchons|piles|journaux|cartons|ferraille|vegetaux"
    r"|denrees|produits|lunettes|livres|sang)\b)"
)


_A_BODY_BEFORE = re.compile(
    r"\b(?:club|association|asso|troupe|compagnie|cie|chorale|groupe|collectif|ensemble|equipe"
    r"|ecole|amicale|comite|section|societe|entreprise|retraites|bagad|cercle|fanfare|orchestre"
    r"|restaurant|traiteur|salle|boutique|magasin|marque|modele)s?\b[^.!?\n]{0,20}$"
)


# A title in quotes, capitalised, of one to six words: "Cold Wheels", « Bars & Beats ».
_QUOTED_TITLE = re.compile(
    r"[«\"“][ \t]*(?P<name>[A-ZÀ-Ý][\w'’&-]*(?:[ \t]+[\w'’&-]+){0,5}?)[ \t]*[»\"”]"
)


# The heads of the names people give their races, fairs and nights, capitalised: "Tour de
# Bretagne", "Circuit des Chapelles", "Boucles du Blavet", "Nuit des Étoiles".
_PROPER_HEAD = (
    r"Tour|Circuit|Boucles?|Chrono|Ronde|Grand[- ]Prix|Troph[ée]e|Coupe|Crit[ée]rium|Course"
    r"|Rallye|Nuits?|Journ[ée]es?|F[êe]tes?|Festival|Salon|Foire|Rencontres|Randonn[ée]e|Rando"
    r"|Marche|Semaine|Gala|Bal|Tournoi|Challenge|Championnat|Trail|Cyclo(?:-[Cc]ross)?|Cross"
    r"|Corrida|Raid|Triathlon|Foul[ée]es|Concours|Forum|Estivales|Mondial|Parade|Festi[a-z]+"
    r"|Jam|Battle|Contest|Descente|Travers[ée]e"
)
# A word of a name: capitalised, not a weekday nor a month ("Journée de Samedi" is no name).
_CAPITALISED = (
    r"(?!(?:Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi|Dimanche|Janvier|F[ée]vrier|Mars|Avril"
    r"|Mai|Juin|Juillet|Ao[ûu]t|Septembre|Octobre|Novembre|D[ée]cembre"
    # nor a word that starts a sentence ("Opération Ma commune propre" is not named "Ma")
    r"|Ma|Mon|Mes|Notre|Nos|Votre|Vos|Son|Sa|Ses|Leurs?|Un|Une|Des|Du|De|Ce|Cet|Cette|Pour|Et"
    r"|En|Au|Aux|Il|Elle|Ils|Elles|Nous|Vous|On|Je|Tu|Merci|Bonjour|Bonsoir|Salut|Qui|Quand"
    # nor the body that organises ("Rando Club de Ploemeur", "Rando Loisirs Brandérion")
    r"|Clubs?|Loisirs|Association|Asso|Amicale|Comit[ée]|Section|Service|Le|La|Les)\b)"
    r"[A-ZÀ-Ý][a-zà-ÿ][\w'’-]*"
)
_LINK = r"(?:de[ \t]+la|de[ \t]+l['’]|des|du|de|d['’]|aux|au|en)"
_PROPER_NAME = re.compile(
    # the head, then what it is of, capitalised: "Tour de la Presqu'île", "Ronde de Languidic"
    rf"(?<![\w'’-])(?:(?:{_PROPER_HEAD})[ \t]+{_LINK}[ \t]*{_CAPITALISED}"
    # a party named in English, its last word its kind: "Retro Day", "Halloween Game Night",
    # "Hennebont BMX Freestyle Jam", "Lorient Summer Skate Nights", "Port-Louis Street Games"
    rf"|(?:(?:{_CAPITALISED}|[A-Z]{{2,5}})[ \t]+){{1,4}}(?:Day|Night|Nights|Party|Cup|Show|Contest"
    r"|Classic|Jam|Session|Sessions|Fest|Games|Battle|Wars|Challenge|Open|Race|Ride|Run"
    r"|Trophy)\b"
    # "Soirée Géminides le 13 déc.", "Nuit Blanche": a night or a day and its name
    rf"|(?:Soir[ée]e|Nuit|Journ[ée]e|F[êe]te|Festival|Salon|Forum|Balade|Rando)[ \t]+{_CAPITALISED}"
    # "la LAN de Noël", "notre LAN d'hiver"
    r"|LAN[ \t]+(?:de|d['’])[ \t]*[\w-]{3,})"
    # and its other capitalised words: "Tour de Bretagne Féminin", "Boucles de l'Ellé Bleue"
    rf"(?:[ \t]+(?:{_LINK}[ \t]*)?{_CAPITALISED})*"
)


_NAME_WORDS = re.compile(rf"(?:(?:La|Le|Les|L['’])[ \t]*)?{_CAPITALISED}(?:[ \t]+{_CAPITALISED})*")
_NAME_AFTER = re.compile(rf"[ \t]+{_NAME_WORDS.pattern}")
_EDITION = re.compile(r"\b\d{1,2}(?:e|eme) edition (?:de la |de l'|du |des |de |d')")


# "le parking du Champ de Foire", "la Place de la Fête": where things happen, not what.
_A_PLACE_BEFORE = re.compile(
    r"(?:champ|place|salle|rue|parking|avenue|quai) (?:de la |des |du |de )?$"
)


def _proper_name(match: re.Match[str]) -> bool:
    """A name that is not part of a place's ("Champ de Foire")."""
    before = match.string[max(0, match.start() - 12) : match.start()].lower()
    return _A_PLACE_BEFORE.search(before) is None


# "pour la Transrade dimanche", "pour le Trophée d'automne": a titled name after "pour le"
# (not a commune, a service or a day).
_FOR_A_TITLE = re.compile(
    r"\b(?:pour|pr) (?:le|la|les|l'|l’) ?(?P<name>(?!(?:Ville|Mairie|Commune|Direction|Service"
    r"|Conseil|Région|Département|Agglo|CCAS|ALSH|Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi"
    r"|Dimanche)\b)[A-ZÉÈ][a-zà-ÿ'’-][\w'’-]+"
    r"(?:[ \t]+(?:de la |de l'|des |du |de |d')?[A-ZÉ][\w'’-]+){0,3}"
    r"(?:[ \t]+(?:d'|de |du |des )[a-zéè]{3,})?)"
)


_CAMPAIGN = re.compile(r"\b(?:ope|operation|campagne|challenge|defi)s?\b")
_ANNIVERSARY = re.compile(r"\bfete(?:nt)? (?:ses|son|leurs) (?P<name>\d{1,3} ans)\b")


# The territory's festivals known by their initials, in capitals: "pendant le FIL".
_ACRONYMS = {
    "FIL": "festival interceltique de Lorient", "WCD": "World Cleanup Day",
    "GP": "Grand Prix",  # "pour le GP, 300 L de boisson": the cycling Grand Prix
}  # fmt: skip
_ACRONYM = re.compile(r"(?<![\w-])(?:" + "|".join(_ACRONYMS) + r")(?![\w-])")


# A title in quotes after the head, read in the original text: "forum « Bien vieillir à
# Hennebont »", "le festival de lecture « La Plage aux Mots »", "l'exposition temporaire
# intitulée « Ex-voto : la mer en prière »" (a few lower-case words may come between).
_TITLE = re.compile(
    r"(?:[ \t]+(?:d'|l')?[a-zà-ÿ][a-zà-ÿ'-]*){0,3}?"
    r"[ \t]*(?:«[ \t]*[^»\n]{2,80}»|[\"“][ \t]*[A-ZÀ-Ý0-9][^\"”\n]{1,80}[\"”]"
    r"|(?<=[ \t])'[A-ZÀ-Ý][^'\n]{1,80}?'(?=[\s,.;:!?)]|$))"
)
# An exhibition's title without quotes, up to a stop: "Expo Phares et balises – Riantec",
# "l'expo itinérante Phares et balises, nous…" (capitalised, ended by punctuation).
_BARE_TITLE = re.compile(
    r"(?:[ \t]+(?:itin[ée]rante|temporaire|photos?|photographique))?[ \t]+"
    r"(?P<first>[A-ZÀ-Ý][a-zà-ÿ’'-]{2,})"
    r"(?:[ \t]+(?:(?:et|de|du|des|en|la|le|aux?)[ \t]+|[dl]['’])?"
    r"[a-zà-ÿA-ZÀ-Ý][a-zà-ÿ’'-]{2,}){0,4}"
    r"(?=[ \t]*(?:[,.;:!?()–—]|-[ \t]|\n|$))"
)


def _bare_title(original: str, head: re.Match[str], proper_names: frozenset[str]) -> bool:
    """An exhibition named by a capitalised title that is not a commune's name."""
    if head.group("head") not in ("expo", "exposition"):
        return False
    title = _BARE_TITLE.match(original, head.end("head"))
    return title is not None and title.group("first").lower() not in proper_names


# Words that name an event only with its title in quotes: "la saison « Printemps Musical »",
# "le spectacle « Le Petit Prince »", "l'exposition « Les Forges en images »".
_TITLED_RE = re.compile(
    rf"\b{_DETERMINER}(?P<head>saison|spectacle|exposition|expo|piece|cycle|concert|festival"
    r"|lecture|veillee|atelier|stage|rencontre|conference|projection|representation|revue"
    r"|comedie musicale|soiree|nuit|tournoi|bal|show|balade|tournee|rando|randonnee|conf"
    r"|visite|promenade)s?\b"
)
# An operation or a show named by its title in French quotes, with or without an article:
# "opé « Lagune propre » le samedi 3 juillet", "Expo « Mémoires de la rade » à la
# médiathèque", "l'opération « Broyons local »".
_QUOTED_HEAD_RE = re.compile(
    r"\b(?P<head>ope|operation|animation|action|campagne|defi|expo|exposition|festival"
    r"|spectacle|journee|semaine|fete|atelier|balade|tournee|conf|conference|soiree|nuit|rando"
    r"|randonnee|concert|visite)s?\b"
)
# "la troupe joue « Tempête sur le lavoir »", "c'est pour « Noël en Scène »": a title in
# quotes played, presented or prepared for.
_PLAYS = re.compile(
    r"\b(?:jou(?:e|ent|era|eront|ons|erons)|pr[ée]sent(?:e|ent|era|eront|ons|erons)"
    r"|[Cc]'est pour|[Pp]our)[ \t]+[«\"“][ \t]*(?P<name>[A-ZÀ-Ý][^»\"”\n]{1,80}?)[ \t]*[»\"”]"
)


def _extent(folded: str, end: int) -> int:
    holiday = _HOLIDAY.match(folded, end)
    if holiday:
        return holiday.end()
    for _ in range(3):
        tail = _TAIL.match(folded, end)
        if not tail or tail.end() == end:
            break
        end = tail.end()
    return end


def _as_written(original: str, start: int, end: int, proper_names: frozenset[str]) -> str:
    """In lower case, but for proper names and initials ("collecte EFS", "formation PSC1";
    a name written all in capitals has none)."""
    written = original[start:end]
    shouting = not any(c.islower() for c in written)
    return " ".join(
        word
        if word.lower() in proper_names or (_INITIALS.fullmatch(word) and not shouting)
        else word.lower()
        for word in written.split()
    )


_INITIALS = re.compile(r"[A-Z][A-Z0-9]{1,5}")


# The national days of remembrance, by (month, day): a request for one of them is for its
# ceremony ("pour le 11/11, 40 chaises", "pr le 8 mai, besoin de 4 gerbes").
_REMEMBRANCE = {
    (3, 19): "19 mars", (5, 8): "8 mai", (6, 8): "8 juin", (6, 18): "18 juin",
    (7, 14): "14 juillet", (9, 25): "25 septembre", (11, 11): "11 novembre",
    (12, 5): "5 décembre",
}  # fmt: skip
# A day written with its month, in words or in figures ("le 11 nov", "le 11/11"), or by its
# name ("l'Armistice"), not a bare "le 11".
_WITH_MONTH = re.compile(r"[a-z]{3}|\d\s*/\s*\d")
# The four days every commune keeps; on the others ("le samedi 25 septembre", "le 18 juin") a
# request is for a ceremony only where the message says so.
_KEPT_BY_ALL = frozenset({"19 mars", "8 mai", "14 juillet", "11 novembre"})
_CEREMONY = re.compile(
    r"\b(?:ceremonie|commemor\w*|hommage|souvenir|gerbes?|monument aux morts|anciens combattants"
    r"|harkis|appel du 18 juin|cessez-le-feu|deportation|porte-drapeaux?|devoir de memoire"
    r"|indochine|algerie|drapeaux?|tricolores?|pavoisement|morts pour la france)\b"
)


def remembrance_day(folded: str, dates: list[DateFinding]) -> tuple[str, Span] | None:
    """The national day of remembrance a message's own single day is, named as people do."""
    for date in dates:
        if date.start is None or date.start != date.end:
            continue
        name = _REMEMBRANCE.get((date.start.month, date.start.day))
        if name and name not in _KEPT_BY_ALL and not _CEREMONY.search(folded):
            continue
        if name and _WITH_MONTH.search(folded, date.span.start, date.span.end):
            return name, date.span
    return None

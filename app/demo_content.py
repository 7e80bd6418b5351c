"""Demo content for Dialoog: the data the seeder loads for a realistic demo.

Pure data, no logic. The facts (municipality codes, the four WVBJ care forms, SDFL's selection criteria,
provider names, iJw categories, units and financing forms) come from ``shared/demo-content.yaml``. Everything
else is illustrative demo data: provider tags, sizes, contacts and contracts, sessions, reports, comments, and
the draft texts of the proposals, which were written for the demo and are not SDFL's actual policy.
"""

from __future__ import annotations

from typing import TypedDict


# The shapes of the data below (so that the seeder is type-checked against them).
class CriterionData(TypedDict):
    title: str
    text: str
    basis: str  # app.models.CriterionBasis


class DialogueData(TypedDict):
    title: str
    tender_reference: str
    description: str
    selection_intro: str
    criteria: list[CriterionData]


class MunicipalityData(TypedDict):
    code: str
    name: str
    in_procurement: bool


class CareFormData(TypedDict):
    key: str
    name: str
    description: str


class ProviderData(TypedDict):
    name: str
    slug: str
    size: str
    tags: list[str]
    contracted_in: list[str]  # municipality names
    active_outside_flevoland: bool
    website: str
    contact_name: str
    invitation: str  # an InvitationStatus


class AgendaItemData(TypedDict):
    start: str  # "HH:MM"
    end: str
    title: str
    description: str
    format: str  # an AgendaFormat
    proposal: str | None  # a ProposalData key


class DocumentData(TypedDict):
    title: str
    filename: str
    audience: str  # an Audience


class SessionData(TypedDict):
    number: int
    title: str
    day_offset: int
    start: str  # "HH:MM"
    end: str
    location: str
    status: str  # a SessionStatus
    report: str | None
    recording_url: str | None
    agenda: list[AgendaItemData]
    documents: list[DocumentData]


class SectionData(TypedDict):
    key: str
    heading: str
    kind: str
    body: str


class ProposalData(TypedDict):
    key: str
    topic: str
    title: str
    summary: str
    public: bool
    change_summary: str
    sections: list[SectionData]


class CommentData(TypedDict):
    proposal: str  # a ProposalData key
    section: str  # a SectionData key
    provider: str  # a ProviderData slug
    kind: str
    body: str
    quote: str | None
    suggested_text: str | None
    reply_to: int | None  # index in COMMENTS
    days_ago: int


DIALOGUE: DialogueData = {
    "title": "Multidisciplinaire jeugdhulp, regionale inkoop 2027",
    "tender_reference": "SDFL-2026-MULTI-01",
    "description": (
        "In dit dialoogtraject bespreekt Sociaal Domein Flevoland (SDFL) met een selectie van zorgaanbieders "
        "hoe de regio vanaf 1 januari 2027 multidisciplinaire jeugdhulp inkoopt voor **Almere, Dronten, Urk "
        "en Noordoostpolder**. Het gaat om de vier vormen van jeugdhulp die gemeenten op grond van de Wet "
        "verbetering beschikbaarheid jeugdzorg (WVBJ) regionaal moeten inkopen. In drie dialoogsessies en "
        "met reacties op conceptvoorstellen voor de productstructuur en de contractvoorwaarden werken we "
        "samen toe naar een goede en uitvoerbare aanbesteding."
    ),
    "selection_intro": "SDFL heeft de deelnemende zorgaanbieders geselecteerd op:",
    "criteria": [
        {
            "title": "Omvang en belang",
            "text": "Omvang en belang in het zorglandschap van Flevoland: een mix van grote (systeem)aanbieders en "
            "kleinere aanbieders met specifieke doelgroepen.",
            "basis": "size",
        },
        {
            "title": "Doelgroepen en expertise",
            "text": "LVB, GGZ, J&O, intercultureel, levensbeschouwelijk, forensisch, autisme, gender, "
            "hoogbegaafdheid, complexe scheidingen en het grensvlak met de Wmo.",
            "basis": "target_groups",
        },
        {
            "title": "Contractering",
            "text": "Lokaal of regionaal gecontracteerd, en ook actief buiten Flevoland.",
            "basis": "contracting",
        },
        {
            "title": "Houding",
            "text": "Constructief meedenken, buiten de gebaande paden, samenwerking, creativiteit en innovatie.",
            "basis": "assessment",
        },
    ],
}

# CBS municipality codes. Lelystad is part of the region but not of this purchase.
MUNICIPALITIES: list[MunicipalityData] = [
    {"code": "0034", "name": "Almere", "in_procurement": True},
    {"code": "0303", "name": "Dronten", "in_procurement": True},
    {"code": "0184", "name": "Urk", "in_procurement": True},
    {"code": "0171", "name": "Noordoostpolder", "in_procurement": True},
    {"code": "0995", "name": "Lelystad", "in_procurement": False},
]

# The four forms the WVBJ makes the region buy together (names from the municipal memo).
CARE_FORMS: list[CareFormData] = [
    {
        "key": "kortdurend-verblijf",
        "name": "Kortdurend verblijf",
        "description": (
            "Tijdelijk verblijf buiten het eigen gezin, zoals logeren, zodat ouders worden ontlast en de "
            "jeugdige thuis kan blijven wonen."
        ),
    },
    {
        "key": "multi-dagbehandeling",
        "name": "Multidisciplinaire specialistische dagbehandeling",
        "description": (
            "Specialistische behandeling in dagdelen waarin verschillende disciplines samen één "
            "behandelprogramma bieden, vaak in combinatie met onderwijs."
        ),
    },
    {
        "key": "multi-complex",
        "name": "Multidisciplinaire jeugdhulp bij complexe problematiek",
        "description": (
            "Hulp waarin professionals van verschillende disciplines gezamenlijk en in samenhang werken voor "
            "jeugdigen en gezinnen met ernstige, meervoudige problemen."
        ),
    },
    {
        "key": "multi-jggz-complex",
        "name": "Multidisciplinaire specialistische jeugd-GGZ bij complexe problematiek",
        "description": (
            "Specialistische jeugd-GGZ waarin een multidisciplinair team complexe psychische problemen "
            "behandelt, ambulant of met dagbehandeling of verblijf."
        ),
    },
]

# Target groups / expertise tags: (slug, Dutch label).
TARGET_GROUPS: list[tuple[str, str]] = [
    ("lvb", "LVB"),
    ("ggz", "GGZ"),
    ("jo", "J&O"),
    ("intercultureel", "Intercultureel"),
    ("levensbeschouwelijk", "Levensbeschouwelijk"),
    ("forensisch", "Forensisch"),
    ("autisme", "Autisme"),
    ("gender", "Gender"),
    ("hoogbegaafdheid", "Hoogbegaafdheid"),
    ("complexe-scheidingen", "Complexe scheidingen"),
    ("wmo-grensvlak", "Grensvlak Wmo"),
]

# Provider names are from SDFL's announcement. Everything else here is ILLUSTRATIVE DEMO DATA:
# tags, sizes, contracts, activity outside Flevoland, contact names and websites are invented
# and say nothing about the real organisations. Tags use TARGET_GROUPS slugs only; "gender"
# is deliberately left uncovered so the app can warn about a missing target group.
PROVIDERS: list[ProviderData] = [
    {
        "name": "Arti-Care",
        "slug": "arti-care",
        "size": "small",
        "tags": ["jo", "wmo-grensvlak"],
        "contracted_in": ["Almere", "Dronten"],
        "active_outside_flevoland": False,
        "website": "https://arti-care.example.org",
        "contact_name": "Mariëlle Bakker",
        "invitation": "accepted",
    },
    {
        "name": "Gelukkig HB",
        "slug": "gelukkig-hb",
        "size": "small",
        "tags": ["hoogbegaafdheid"],
        "contracted_in": ["Almere"],
        "active_outside_flevoland": True,
        "website": "https://gelukkig-hb.example.org",
        "contact_name": "Jeroen Visser",
        "invitation": "accepted",
    },
    {
        "name": "Het Kompass",
        "slug": "het-kompass",
        "size": "small",
        "tags": ["intercultureel", "jo"],
        "contracted_in": ["Almere"],
        "active_outside_flevoland": False,
        "website": "https://het-kompass.example.org",
        "contact_name": "Fatima El Amrani",
        "invitation": "accepted",
    },
    {
        "name": "Its4sure",
        "slug": "its4sure",
        "size": "medium",
        "tags": ["jo"],
        "contracted_in": ["Almere", "Dronten"],
        "active_outside_flevoland": True,
        "website": "https://its4sure.example.org",
        "contact_name": "Pieter van Dam",
        "invitation": "pending",
    },
    {
        "name": "Leger des Heils",
        "slug": "leger-des-heils",
        "size": "large",
        "tags": ["forensisch", "wmo-grensvlak"],
        "contracted_in": ["Almere", "Dronten", "Urk", "Noordoostpolder"],
        "active_outside_flevoland": True,
        "website": "https://leger-des-heils.example.org",
        "contact_name": "Annemiek Hoekstra",
        "invitation": "accepted",
    },
    {
        "name": "Omega groep",
        "slug": "omega-groep",
        "size": "medium",
        "tags": ["ggz"],
        "contracted_in": ["Almere", "Noordoostpolder"],
        "active_outside_flevoland": True,
        "website": "https://omega-groep.example.org",
        "contact_name": "Ruud Jansen",
        "invitation": "pending",
    },
    {
        "name": "Praktijk DichterBij",
        "slug": "praktijk-dichterbij",
        "size": "small",
        "tags": ["ggz", "complexe-scheidingen"],
        "contracted_in": ["Dronten", "Noordoostpolder"],
        "active_outside_flevoland": False,
        "website": "https://praktijk-dichterbij.example.org",
        "contact_name": "Ingrid Smit",
        "invitation": "accepted",
    },
    {
        "name": "PsyMens",
        "slug": "psymens",
        "size": "medium",
        "tags": ["ggz"],
        "contracted_in": ["Almere", "Dronten"],
        "active_outside_flevoland": True,
        "website": "https://psymens.example.org",
        "contact_name": "Thomas Mulder",
        "invitation": "accepted",
    },
    {
        "name": "Re-care",
        "slug": "re-care",
        "size": "medium",
        "tags": ["ggz"],
        "contracted_in": ["Almere", "Dronten", "Urk", "Noordoostpolder"],
        "active_outside_flevoland": True,
        "website": "https://re-care.example.org",
        "contact_name": "Linda Kok",
        "invitation": "accepted",
    },
    {
        "name": "Rodante",
        "slug": "rodante",
        "size": "medium",
        "tags": ["lvb"],
        "contracted_in": ["Urk", "Noordoostpolder"],
        "active_outside_flevoland": True,
        "website": "https://rodante.example.org",
        "contact_name": "Hendrik de Boer",
        "invitation": "accepted",
    },
    {
        "name": "'s Heeren Loo",
        "slug": "s-heeren-loo",
        "size": "large",
        "tags": ["lvb"],
        "contracted_in": ["Almere", "Dronten", "Urk", "Noordoostpolder"],
        "active_outside_flevoland": True,
        "website": "https://s-heeren-loo.example.org",
        "contact_name": "Esther van Leeuwen",
        "invitation": "accepted",
    },
    {
        "name": "Samen Sterk",
        "slug": "samen-sterk",
        "size": "small",
        "tags": ["jo"],
        "contracted_in": ["Almere"],
        "active_outside_flevoland": False,
        "website": "https://samen-sterk.example.org",
        "contact_name": "Kim Brouwer",
        "invitation": "accepted",
    },
    {
        "name": "Stichting Timon",
        "slug": "stichting-timon",
        "size": "medium",
        "tags": ["levensbeschouwelijk", "jo"],
        "contracted_in": ["Almere", "Dronten", "Urk"],
        "active_outside_flevoland": True,
        "website": "https://stichting-timon.example.org",
        "contact_name": "Joost van der Meer",
        "invitation": "pending",
    },
    {
        "name": "Triade Vitree",
        "slug": "triade-vitree",
        "size": "large",
        "tags": ["lvb", "ggz", "autisme"],
        "contracted_in": ["Almere", "Dronten", "Urk", "Noordoostpolder"],
        "active_outside_flevoland": True,
        "website": "https://triade-vitree.example.org",
        "contact_name": "Marloes Dekker",
        "invitation": "accepted",
    },
]

# Dialogue sessions. day_offset is relative to the day the seeder runs; times are Europe/Amsterdam.
SESSIONS: list[SessionData] = [
    {
        "number": 1,
        "title": "Kennismaking en productstructuur",
        "day_offset": -21,
        "start": "13:00",
        "end": "17:00",
        "location": "Stadhuis Almere, Stadhuisplein 1, Almere",
        "status": "held",
        "report": (
            "## Verslag dialoogsessie 1: kennismaking en productstructuur\n\n"
            "Aanwezig waren vertegenwoordigers van elf zorgaanbieders, van de gemeenten Almere, Dronten, Urk "
            "en Noordoostpolder en het inkoopteam van SDFL.\n\n"
            "### Toelichting\n\n"
            "SDFL lichtte toe waarom de regio vier vormen van multidisciplinaire jeugdhulp gezamenlijk gaat "
            "inkopen en hoe die zich verhouden tot wat al regionaal is ingekocht: 24-uurs jeugdhulp, "
            "crisishulp en hoogspecialistische JGGZ. Daarna is het concept voor de productstructuur in drie "
            "subgroepen besproken.\n\n"
            "### Belangrijkste opbrengst\n\n"
            "- De indeling naar iJw-categorieën wordt herkend. Aanbieders vragen om een scherpere afbakening "
            "tussen 45M01 en 54M01.\n"
            "- Het dagdeel als eenheid voor dagbehandeling krijgt brede steun, omdat het goed aansluit op "
            "onderwijs.\n"
            "- Outputgerichte bekostiging van diagnostiek (45M02) vinden de meeste aanbieders werkbaar, mits "
            "duidelijk is wat een afgerond traject is.\n"
            "- Kleinere aanbieders vragen aandacht voor onderaanneming en samenwerkingsverbanden, zodat "
            "specifieke expertise beschikbaar blijft.\n"
            "- Consultatie en advies aan lokale teams (50M01) wordt gesteund; de verdeling van het budget "
            "per gemeente vraagt nog uitwerking.\n\n"
            "### Vervolg\n\n"
            "Tot de volgende sessie kunt u in Dialoog reageren op het voorstel voor de productstructuur. "
            "SDFL verwerkt de reacties in een nieuwe versie. De tweede sessie gaat over de "
            "contractvoorwaarden."
        ),
        "recording_url": "https://video.example.org/sdfl-multi-sessie-1",
        "agenda": [
            {
                "start": "13:00",
                "end": "13:30",
                "title": "Welkom en kennismaking",
                "description": (
                    "Opening door SDFL en een korte kennismakingsronde. We lichten het doel en de spelregels "
                    "van het dialoogtraject toe."
                ),
                "format": "plenary",
                "proposal": None,
            },
            {
                "start": "13:30",
                "end": "14:15",
                "title": "De WVBJ en de reikwijdte van de inkoop",
                "description": (
                    "SDFL licht toe welke vier vormen van jeugdhulp de regio gezamenlijk moet inkopen en wat "
                    "al regionaal is ingekocht."
                ),
                "format": "plenary",
                "proposal": None,
            },
            {
                "start": "14:15",
                "end": "15:15",
                "title": "Productstructuur in subgroepen",
                "description": (
                    "In drie subgroepen bespreken we het concept voor de productcodes, eenheden en financieringsvormen."
                ),
                "format": "subgroups",
                "proposal": "product-structure",
            },
            {
                "start": "15:15",
                "end": "15:30",
                "title": "Pauze",
                "description": "Koffie, thee en gelegenheid om informeel na te praten.",
                "format": "plenary",
                "proposal": None,
            },
            {
                "start": "15:30",
                "end": "16:30",
                "title": "Terugkoppeling uit de subgroepen",
                "description": (
                    "Elke subgroep deelt de belangrijkste knelpunten en suggesties. SDFL vat samen wat we "
                    "meenemen naar de volgende versie."
                ),
                "format": "plenary",
                "proposal": "product-structure",
            },
            {
                "start": "16:30",
                "end": "17:00",
                "title": "Vervolgstappen en afsluiting",
                "description": (
                    "We bespreken de planning van de reactieronde in Dialoog en het programma van de tweede sessie."
                ),
                "format": "plenary",
                "proposal": None,
            },
        ],
        "documents": [],
    },
    {
        "number": 2,
        "title": "Contractvoorwaarden en tarieven",
        "day_offset": 10,
        "start": "13:00",
        "end": "17:00",
        "location": "Vergadercentrum Het Baken, Stationsplein 20, Lelystad",
        "status": "planned",
        "report": None,
        "recording_url": None,
        "agenda": [
            {
                "start": "13:00",
                "end": "13:30",
                "title": "Welkom en terugblik op sessie 1",
                "description": (
                    "SDFL licht toe wat er met de reacties op de productstructuur is gedaan en welke vragen "
                    "nog openstaan."
                ),
                "format": "plenary",
                "proposal": "product-structure",
            },
            {
                "start": "13:30",
                "end": "14:15",
                "title": "Tarieven, kostprijsopbouw en indexering",
                "description": (
                    "Toelichting op de opbouw van reële tarieven en bespreking van de reacties op de indexering."
                ),
                "format": "plenary",
                "proposal": "contract-terms",
            },
            {
                "start": "14:15",
                "end": "15:15",
                "title": "Kwaliteit, wachttijden en continuïteit",
                "description": (
                    "In subgroepen bespreken we de eisen aan professionals, de maximale wachttijden en het "
                    "continuïteitsplan."
                ),
                "format": "subgroups",
                "proposal": "contract-terms",
            },
            {
                "start": "15:15",
                "end": "15:30",
                "title": "Pauze",
                "description": "Koffie, thee en gelegenheid om informeel na te praten.",
                "format": "plenary",
                "proposal": None,
            },
            {
                "start": "15:30",
                "end": "16:30",
                "title": "Samenwerking en ruimte voor kleinere aanbieders",
                "description": (
                    "Hoe organiseren we matched care en samenwerking met lokale teams, en welke voorwaarden "
                    "zijn nodig voor onderaanneming?"
                ),
                "format": "subgroups",
                "proposal": "contract-terms",
            },
            {
                "start": "16:30",
                "end": "17:00",
                "title": "Afronding en vervolg",
                "description": "We vatten de opbrengst samen en blikken vooruit op de derde sessie.",
                "format": "plenary",
                "proposal": None,
            },
        ],
        "documents": [
            {
                "title": "Toelichting op de concept contractvoorwaarden",
                "filename": "sdfl-multi-sessie-2-toelichting-contractvoorwaarden.pdf",
                "audience": "participants",
            },
            {
                "title": "Programma dialoogsessie 2",
                "filename": "sdfl-multi-sessie-2-programma.pdf",
                "audience": "public",
            },
        ],
    },
    {
        "number": 3,
        "title": "Terugkoppeling en inkoopprocedure",
        "day_offset": 45,
        "start": "13:00",
        "end": "17:00",
        "location": "Gemeentehuis Dronten, De Rede 1, Dronten",
        "status": "planned",
        "report": None,
        "recording_url": None,
        "agenda": [
            {
                "start": "13:00",
                "end": "13:20",
                "title": "Welkom",
                "description": "Opening door SDFL en een korte terugblik op de eerste twee sessies.",
                "format": "plenary",
                "proposal": None,
            },
            {
                "start": "13:20",
                "end": "14:15",
                "title": "Herziene productstructuur",
                "description": (
                    "SDFL presenteert de nieuwe versie van de productstructuur en licht toe welke reacties "
                    "wel en niet zijn overgenomen."
                ),
                "format": "plenary",
                "proposal": "product-structure",
            },
            {
                "start": "14:15",
                "end": "15:15",
                "title": "Herziene contractvoorwaarden",
                "description": (
                    "In subgroepen toetsen we de aangepaste voorwaarden op uitvoerbaarheid in de praktijk."
                ),
                "format": "subgroups",
                "proposal": "contract-terms",
            },
            {
                "start": "15:15",
                "end": "15:30",
                "title": "Pauze",
                "description": "Koffie, thee en gelegenheid om informeel na te praten.",
                "format": "plenary",
                "proposal": None,
            },
            {
                "start": "15:30",
                "end": "16:30",
                "title": "Inkoopprocedure en planning",
                "description": (
                    "Toelichting op de procedure, de rol van TenderNed en de nota van inlichtingen, en de "
                    "planning richting 1 januari 2027."
                ),
                "format": "plenary",
                "proposal": "contract-terms",
            },
            {
                "start": "16:30",
                "end": "17:00",
                "title": "Evaluatie en afsluiting",
                "description": ("We evalueren het dialoogtraject samen en sluiten af met een blik op de aanbesteding."),
                "format": "plenary",
                "proposal": None,
            },
        ],
        "documents": [],
    },
]

# SDFL's draft proposals (version 1). Section keys stay stable across versions.
# The texts are drafts written for the demo.
PROPOSALS: list[ProposalData] = [
    {
        "key": "product-structure",
        "topic": "product_structure",
        "title": "Productstructuur multidisciplinaire jeugdhulp",
        "summary": (
            "Concept voor de indeling van multidisciplinaire jeugdhulp in regionale producten, met per "
            "product de iJw-categorie, de eenheid en de financieringsvorm."
        ),
        "public": True,
        "change_summary": "Eerste concept voor de dialoog.",
        "sections": [
            {
                "key": "doel-en-uitgangspunten",
                "heading": "Doel en uitgangspunten",
                "kind": "text",
                "body": (
                    "Met deze productstructuur leggen de gemeenten Almere, Dronten, Urk en Noordoostpolder "
                    "vast welke multidisciplinaire jeugdhulp zij vanaf 1 januari 2027 regionaal inkopen, en "
                    "hoe die hulp wordt toegewezen, geleverd en bekostigd.\n\n"
                    "We hanteren de volgende uitgangspunten:\n\n"
                    "- **Herkenbaar**: de producten sluiten aan op de landelijke iJw-standaard, met de "
                    "daarin gebruikte categorieën en eenheden.\n"
                    "- **Zo min mogelijk producten**: liever een beperkt aantal brede producten dan veel "
                    "smalle varianten.\n"
                    "- **Passend bij de hulp**: de eenheid en de financieringsvorm volgen de manier waarop "
                    "de hulp in de praktijk wordt geleverd.\n"
                    "- **Uitvoerbaar**: de administratieve lasten voor aanbieders en gemeenten blijven zo "
                    "laag mogelijk.\n\n"
                    "De productcodes in dit concept zijn regionale codes, herkenbaar aan de letter M. Het "
                    "zijn nog geen definitieve codes."
                ),
            },
            {
                "key": "reikwijdte",
                "heading": "Reikwijdte: vier vormen van jeugdhulp",
                "kind": "text",
                "body": (
                    "De WVBJ verplicht regio's om een aantal vormen van jeugdhulp gezamenlijk in te kopen. "
                    "Deze productstructuur gaat over vier daarvan:\n\n"
                    "1. kortdurend verblijf;\n"
                    "2. multidisciplinaire specialistische dagbehandeling;\n"
                    "3. multidisciplinaire jeugdhulp bij complexe problematiek;\n"
                    "4. multidisciplinaire specialistische jeugd-GGZ bij complexe problematiek.\n\n"
                    "24-uurs jeugdhulp, crisishulp en hoogspecialistische JGGZ koopt de regio al gezamenlijk "
                    "in. Die vallen buiten dit traject. Heeft een jeugdige hulp uit beide trajecten nodig, "
                    "dan verwachten we dat aanbieders hun hulp op elkaar afstemmen.\n\n"
                    "Jeugdhulp die de gemeenten lokaal inkopen, zoals lichtere ambulante hulp, blijft lokaal "
                    "geregeld. Het grensvlak daarmee werken we uit in het onderdeel over consultatie en "
                    "advies aan lokale teams."
                ),
            },
            {
                "key": "productoverzicht",
                "heading": "Overzicht van de producten",
                "kind": "text",
                "body": (
                    "Het concept bevat negen producten. De eerste twee cijfers van elke code verwijzen naar "
                    "de iJw-productcategorie.\n\n"
                    "| Code | Naam | iJw-categorie | Eenheid | Financieringsvorm |\n"
                    "|---|---|---|---|---|\n"
                    "| 41M01 | Multidisciplinaire specialistische dagbehandeling | 41 Dagbehandeling | "
                    "Dagdeel (4 uur) | Inspanningsgericht |\n"
                    "| 41M02 | Dagbehandeling jeugd-GGZ complex | 41 Dagbehandeling | Dagdeel (4 uur) | "
                    "Inspanningsgericht |\n"
                    "| 44M01 | Kortdurend verblijf (logeren) | 44 Jeugdhulp verblijf (excl. behandeling) | "
                    "Etmaal | Inspanningsgericht |\n"
                    "| 43M01 | Behandelverblijf multidisciplinair complex | 43 Jeugdhulp verblijf (incl. "
                    "behandeling) | Etmaal | Inspanningsgericht |\n"
                    "| 45M01 | Multidisciplinaire ambulante behandeling complex | 45 Jeugdhulp ambulant | "
                    "Uur | Inspanningsgericht |\n"
                    "| 45M02 | Multidisciplinaire diagnostiek | 45 Jeugdhulp ambulant | Stuks (output) | "
                    "Outputgericht |\n"
                    "| 54M01 | Specialistische jeugd-GGZ behandeling complex | 54 Jeugd-ggz | Minuut | "
                    "Inspanningsgericht |\n"
                    "| 54M02 | Intensief jeugd-GGZ traject | 54 Jeugd-ggz | Stuks (output) | Outputgericht "
                    "|\n"
                    "| 50M01 | Consultatie en advies aan lokale teams | 50 Maatwerkarrangementen jeugd | "
                    "n.v.t. | Taakgericht |\n\n"
                    "Bij de outputgerichte producten 45M02 en 54M02 geldt een vast bedrag per afgerond "
                    "traject. Voor 50M01 wordt niet per jeugdige toegewezen of gedeclareerd; de aanbieder "
                    "ontvangt een budget voor een afgesproken taak. Een eenheid is daarom niet van "
                    "toepassing."
                ),
            },
            {
                "key": "eenheden-en-bekostiging",
                "heading": "Eenheden en financieringsvormen",
                "kind": "text",
                "body": (
                    "Per product kiezen we een van de drie uitvoeringsvarianten van de iJw-standaard:\n\n"
                    "- **Inspanningsgericht**: de gemeente wijst een aantal eenheden toe (minuten, uren, "
                    "dagdelen of etmalen) en de aanbieder declareert de geleverde eenheden.\n"
                    "- **Outputgericht**: de gemeente wijst een traject toe en de aanbieder declareert een "
                    "vast bedrag per traject.\n"
                    "- **Taakgericht**: de aanbieder ontvangt een budget voor een afgesproken taak, zonder "
                    "toewijzing en declaratie per jeugdige.\n\n"
                    "Voor de meeste producten kiezen we voor inspanningsgericht, omdat de intensiteit van de "
                    "hulp bij complexe problematiek sterk verschilt per jeugdige. Voor dagbehandeling "
                    "gebruiken we het dagdeel van vier uur, zodat een behandeldag met onderwijs goed te "
                    "combineren is. Specialistische jeugd-GGZ (54M01) rekenen we in minuten af, in "
                    "aansluiting op de huidige werkwijze in de GGZ."
                ),
            },
            {
                "key": "multidisciplinair-werken",
                "heading": "Wat verstaan we onder multidisciplinair?",
                "kind": "text",
                "body": (
                    "Multidisciplinair betekent in deze productstructuur dat hulpverleners van verschillende "
                    "disciplines gezamenlijk en in samenhang werken aan één plan voor de jeugdige en het "
                    "gezin. Losse behandelingen die na of naast elkaar worden geleverd, vallen daar niet "
                    "onder.\n\n"
                    "Bij alle producten in dit concept verwachten we ten minste:\n\n"
                    "- één behandelplan met gezamenlijke doelen, opgesteld samen met de jeugdige en de "
                    "ouders;\n"
                    "- een vaste regiebehandelaar of casusregisseur;\n"
                    "- structureel multidisciplinair overleg, waarvan de uitkomsten in het dossier worden "
                    "vastgelegd;\n"
                    "- de inzet van ten minste twee disciplines, bijvoorbeeld een GZ-psycholoog, "
                    "orthopedagoog, psychiater, vaktherapeut of systeemtherapeut.\n\n"
                    "De inzet van verschillende disciplines is in de tarieven verwerkt. Een aanbieder kan "
                    "disciplines ook via onderaanneming of in een samenwerkingsverband leveren, zolang de "
                    "samenhang geborgd is."
                ),
            },
            {
                "key": "consultatie-en-advies",
                "heading": "Consultatie en advies aan lokale teams",
                "kind": "text",
                "body": (
                    "Met product 50M01 willen we de specialistische kennis van aanbieders dichter bij de "
                    "lokale teams brengen. Medewerkers van de wijk- en gebiedsteams kunnen laagdrempelig een "
                    "specialist raadplegen, bijvoorbeeld om te beoordelen of multidisciplinaire hulp nodig "
                    "is of om lichtere hulp goed in te richten.\n\n"
                    "Consultatie en advies worden taakgericht gefinancierd: de aanbieder ontvangt een "
                    "jaarbudget voor een afgesproken aantal uren beschikbaarheid. Er is geen toewijzing of "
                    "declaratie per jeugdige nodig. Zo voorkomen we dat advies pas op gang komt nadat een "
                    "jeugdige is verwezen.\n\n"
                    "De verdeling van het budget over aanbieders en gemeenten werken we na de dialoogsessies "
                    "verder uit. We denken aan een vaste contactpersoon per gemeente en een korte jaarlijkse "
                    "verantwoording over de inzet."
                ),
            },
            {
                "key": "vraag-ontbrekende-producten",
                "heading": "Vraag: sluit het productoverzicht aan op uw praktijk?",
                "kind": "question",
                "body": (
                    "We leggen u graag de volgende vragen voor:\n\n"
                    "1. Sluit dit productoverzicht aan op de hulp die u nu levert aan jeugdigen met complexe "
                    "problematiek? Zo nee, welke hulp past niet in een van de producten?\n"
                    "2. Is het onderscheid tussen multidisciplinaire ambulante behandeling (45M01) en "
                    "specialistische jeugd-GGZ behandeling (54M01) voor u duidelijk genoeg om goed toe te "
                    "wijzen en te declareren?\n"
                    "3. Mist u een product voor specifieke doelgroepen, bijvoorbeeld jeugdigen met een licht "
                    "verstandelijke beperking of jeugdigen met genderproblematiek?\n\n"
                    "Wilt u in uw antwoord zo concreet mogelijk aangeven om welke jeugdigen het gaat, en om "
                    "hoeveel jeugdigen per jaar, voor zover u dat kunt inschatten?"
                ),
            },
            {
                "key": "vraag-outputbekostiging",
                "heading": "Vraag: outputgerichte bekostiging",
                "kind": "question",
                "body": (
                    "Voor multidisciplinaire diagnostiek (45M02) en het intensieve jeugd-GGZ traject (54M02) "
                    "stellen we outputgerichte bekostiging voor: een vast bedrag per afgerond traject, "
                    "ongeacht de werkelijke inzet.\n\n"
                    "Voordelen zijn minder administratie en meer ruimte voor de professional om de inzet af "
                    "te stemmen op de jeugdige. Een risico is dat de gemiddelde inzet per traject niet past "
                    "bij de zwaarte van de doelgroep.\n\n"
                    "We horen graag van u:\n\n"
                    "- Wat is in uw ervaring de gemiddelde duur en inzet van een traject bij deze "
                    "producten?\n"
                    "- Welke afspraken zijn nodig over het begin en het einde van een traject, bijvoorbeeld "
                    "bij voortijdige beëindiging?\n"
                    "- Ziet u andere producten waarvoor outputgerichte bekostiging beter past?"
                ),
            },
        ],
    },
    {
        "key": "contract-terms",
        "topic": "contract_terms",
        "title": "Concept contractvoorwaarden",
        "summary": (
            "Eerste concept van de contractvoorwaarden voor de regionale inkoop van multidisciplinaire "
            "jeugdhulp vanaf 1 januari 2027. Alleen zichtbaar voor deelnemers aan de dialoog."
        ),
        "public": False,
        "change_summary": "Eerste concept voor de dialoog.",
        "sections": [
            {
                "key": "doel-en-reikwijdte",
                "heading": "Doel en reikwijdte",
                "kind": "text",
                "body": (
                    "Deze voorwaarden gelden voor de levering van jeugdhulp in de vier vormen die de "
                    "gemeenten Almere, Dronten, Urk en Noordoostpolder op grond van de WVBJ regionaal "
                    "inkopen: kortdurend verblijf, multidisciplinaire specialistische dagbehandeling, "
                    "multidisciplinaire jeugdhulp bij complexe problematiek en multidisciplinaire "
                    "specialistische jeugd-GGZ bij complexe problematiek.\n\n"
                    "De voorwaarden gelden voor jeugdigen voor wie een van de vier gemeenten op grond van "
                    "het woonplaatsbeginsel verantwoordelijk is.\n\n"
                    "Onder **multidisciplinair** verstaan we dat hulpverleners van verschillende disciplines "
                    "gezamenlijk en in samenhang hulp bieden, op basis van één plan voor de jeugdige en het "
                    "gezin. Het naast elkaar leveren van losse behandelingen valt daar niet onder.\n\n"
                    "SDFL voert de inkoop en het contractbeheer uit namens de vier gemeenten."
                ),
            },
            {
                "key": "inkoopprocedure-en-toetreding",
                "heading": "Inkoopprocedure en toetreding",
                "kind": "text",
                "body": (
                    "De gemeenten kopen deze jeugdhulp in met de procedure voor sociale en andere specifieke "
                    "diensten uit de Aanbestedingswet 2012. Die procedure geeft ruimte om de inkoop in "
                    "dialoog met aanbieders vorm te geven, zoals in dit traject.\n\n"
                    "De aanbestedingsstukken worden gepubliceerd op TenderNed. Vragen over de stukken stelt "
                    "u uitsluitend via TenderNed, binnen de termijn die in de stukken staat. SDFL "
                    "beantwoordt alle vragen geanonimiseerd in een nota van inlichtingen, die voor alle "
                    "inschrijvers tegelijk beschikbaar komt en deel uitmaakt van de aanbestedingsstukken.\n\n"
                    "Reacties in Dialoog zijn geen vragen in de zin van de aanbesteding. Ze helpen ons de "
                    "stukken op te stellen, maar leiden niet tot rechten of verplichtingen in de "
                    "procedure.\n\n"
                    "Of en wanneer nieuwe aanbieders tijdens de looptijd kunnen toetreden, bespreken we in "
                    "de tweede dialoogsessie."
                ),
            },
            {
                "key": "looptijd-en-verlenging",
                "heading": "Looptijd en verlenging",
                "kind": "text",
                "body": (
                    "De overeenkomst gaat in op 1 januari 2027 en heeft een looptijd van vier jaar. De "
                    "gemeenten kunnen de overeenkomst daarna twee keer met twee jaar verlengen, tot een "
                    "maximale looptijd van acht jaar.\n\n"
                    "Een meerjarige looptijd geeft aanbieders de zekerheid om te investeren in personeel, "
                    "huisvesting en samenwerking, en geeft jeugdigen en ouders continuïteit van hulp.\n\n"
                    "SDFL neemt namens de gemeenten uiterlijk twaalf maanden voor het einde van de lopende "
                    "periode een besluit over verlenging en maakt dat direct bekend aan de gecontracteerde "
                    "aanbieders. Zo hebben aanbieders voldoende tijd om zich voor te bereiden op het einde "
                    "van de overeenkomst of op een nieuwe procedure.\n\n"
                    "Tussentijdse beëindiging is alleen mogelijk in de gevallen die de algemene voorwaarden "
                    "noemen, bijvoorbeeld bij ernstige tekortkomingen in de kwaliteit van de hulp."
                ),
            },
            {
                "key": "tarieven-en-kostprijsopbouw",
                "heading": "Tarieven en kostprijsopbouw",
                "kind": "text",
                "body": (
                    "De gemeenten betalen reële tarieven, zoals artikel 2.2a van het Besluit Jeugdwet "
                    "voorschrijft. Een tarief is reëel als het rekening houdt met de kosten die nodig zijn "
                    "om de hulp met de vereiste kwaliteit te leveren.\n\n"
                    "We bouwen de tarieven per product op uit:\n\n"
                    "- **kosten van professionals**: salaris volgens de toepasselijke cao met de gangbare "
                    "opslagen, en een realistische verhouding tussen directe en indirecte tijd;\n"
                    "- **cliëntgebonden kosten**, zoals materialen, vervoer tijdens de behandeling en, bij "
                    "verblijf, de kosten van wonen en voeding;\n"
                    "- **overhead**: kosten van management, administratie, huisvesting en ICT, als opslag op "
                    "de personele kosten;\n"
                    "- **indexering**: de jaarlijkse aanpassing volgens het onderdeel Indexering.\n\n"
                    "We maken de kostprijsmodellen met de gebruikte uitgangspunten openbaar. We vragen "
                    "aanbieders de uitgangspunten te toetsen aan hun eigen kostprijzen, zodat we onderbouwde "
                    "tarieven kunnen vaststellen."
                ),
            },
            {
                "key": "indexering",
                "heading": "Indexering",
                "kind": "text",
                "body": (
                    "De tarieven worden jaarlijks per 1 januari geïndexeerd. We gebruiken daarvoor een "
                    "samengestelde index:\n\n"
                    "- het **personele deel** van het tarief volgt de loonindex, de OVA (overheidsbijdrage "
                    "in de arbeidskostenontwikkeling) zoals het kabinet die jaarlijks vaststelt;\n"
                    "- het **materiële deel** volgt de consumentenprijsindex (CPI) van het CBS.\n\n"
                    "De verhouding tussen het personele en het materiële deel volgt per product uit de "
                    "kostprijsopbouw. Bij producten met verblijf is het materiële deel groter dan bij "
                    "ambulante producten.\n\n"
                    "SDFL maakt de geïndexeerde tarieven uiterlijk 1 november van het voorafgaande jaar "
                    "bekend. Valt de definitieve index later hoger of lager uit, dan verwerken we het "
                    "verschil in de indexering van het volgende jaar. Er is geen nacalculatie over het "
                    "lopende jaar."
                ),
            },
            {
                "key": "kwaliteit-en-professionals",
                "heading": "Kwaliteit en professionals",
                "kind": "text",
                "body": (
                    "De aanbieder levert hulp die voldoet aan de eisen van de Jeugdwet en aan het "
                    "Kwaliteitskader Jeugd. Daarbij geldt in elk geval:\n\n"
                    "- de **norm van verantwoorde werktoedeling**: taken worden uitgevoerd door een "
                    "professional die is geregistreerd in het Kwaliteitsregister Jeugd (SKJ) of het "
                    "BIG-register, tenzij de aanbieder aantoonbaar en gemotiveerd anders beslist;\n"
                    "- iedere medewerker die met jeugdigen werkt, heeft een **verklaring omtrent het gedrag "
                    "(VOG)** die bij indiensttreding niet ouder is dan drie maanden;\n"
                    "- de aanbieder werkt met de **meldcode huiselijk geweld en kindermishandeling** en "
                    "heeft een aandachtsfunctionaris;\n"
                    "- de aanbieder heeft een **klachtenregeling** en is aangesloten bij een onafhankelijke "
                    "geschilleninstantie;\n"
                    "- de aanbieder meldt calamiteiten en geweld bij de verlening van jeugdhulp bij de "
                    "Inspectie Gezondheidszorg en Jeugd.\n\n"
                    "SDFL kan de naleving toetsen, bijvoorbeeld met een steekproef of een gesprek over de "
                    "kwaliteitsrapportage."
                ),
            },
            {
                "key": "toegang-toewijzing-en-wachttijden",
                "heading": "Toegang, toewijzing en wachttijden",
                "kind": "text",
                "body": (
                    "De aanbieder start alleen met hulp na een toewijzing door de gemeente of een verwijzing "
                    "door een huisarts, jeugdarts, medisch specialist of gecertificeerde instelling. Zonder "
                    "toewijzing of geldige verwijzing vindt geen betaling plaats.\n\n"
                    "Voor de wachttijden gelden deze maximale termijnen:\n\n"
                    "- aanmeldwachttijd (van aanmelding tot intake): **4 weken**;\n"
                    "- behandelwachttijd (van intake tot start van de hulp): **6 weken**;\n"
                    "- bij kortdurend verblijf: plaatsing binnen **2 weken** na toewijzing.\n\n"
                    "Kan de aanbieder een termijn niet halen, dan meldt hij dat direct aan de verwijzer en "
                    "de gemeente en zoekt hij met hen een passend alternatief, bijvoorbeeld "
                    "overbruggingszorg of hulp bij een andere aanbieder.\n\n"
                    "De aanbieder meldt maandelijks de actuele wachttijden en het aantal wachtenden per "
                    "product aan SDFL."
                ),
            },
            {
                "key": "berichtenverkeer-en-declaratie",
                "heading": "Berichtenverkeer en declaratie",
                "kind": "text",
                "body": (
                    "Het berichtenverkeer tussen gemeenten en aanbieders verloopt via het Gemeentelijk "
                    "Gegevensknooppunt (GGk) met de berichten van de iJw-standaard, in de versie die op dat "
                    "moment landelijk geldt. Het gaat om:\n\n"
                    "- de toewijzing (JW301) en de retourinformatie daarop (JW302);\n"
                    "- de start- en stopberichten (JW305 en JW307);\n"
                    "- de declaratie (JW323) en het antwoord daarop (JW325).\n\n"
                    "De aanbieder verstuurt start- en stopberichten binnen vijf werkdagen na de feitelijke "
                    "start of het einde van de hulp. Declaraties dient de aanbieder per maand in, uiterlijk "
                    "drie maanden na afloop van de maand waarin de hulp is geleverd.\n\n"
                    "Jaarlijks levert de aanbieder een productieverantwoording aan over de gedeclareerde "
                    "hulp. Aanbieders boven een nog vast te stellen omzetgrens voegen een controleverklaring "
                    "van een accountant toe."
                ),
            },
            {
                "key": "beschikbaarheid-en-continuiteit",
                "heading": "Beschikbaarheid en continuïteit",
                "kind": "question",
                "body": (
                    "De aanbieder houdt de capaciteit beschikbaar die in de overeenkomst per product en per "
                    "jaar is afgesproken. Een wijziging van de capaciteit van meer dan tien procent meldt de "
                    "aanbieder ten minste drie maanden vooraf aan SDFL.\n\n"
                    "De aanbieder heeft een **continuïteitsplan**. Daarin staat hoe de hulp doorgaat bij "
                    "financiële problemen, personeelstekort of het einde van de overeenkomst, en hoe de "
                    "aanbieder jeugdigen en ouders dan informeert.\n\n"
                    "Stopt de hulp bij een aanbieder terwijl de jeugdige nog hulp nodig heeft, dan zorgt de "
                    "aanbieder voor een **zorgvuldige overdracht** aan een andere aanbieder: een warme "
                    "overdracht, en met toestemming van jeugdige en ouders ook overdracht van het "
                    "dossier.\n\n"
                    "**Vraag aan aanbieders:** hoe kunnen we afspraken over capaciteit zo maken dat ze voor "
                    "u haalbaar zijn en tegelijk de beschikbaarheid van hulp in de regio borgen? Welke "
                    "informatie van de gemeenten hebt u daarvoor nodig?"
                ),
            },
            {
                "key": "samenwerking-en-matched-care",
                "heading": "Samenwerking en matched care",
                "kind": "question",
                "body": (
                    "De aanbieder werkt actief samen met de lokale teams van de vier gemeenten, met het "
                    "onderwijs (scholen en samenwerkingsverbanden passend onderwijs) en met andere "
                    "aanbieders die bij het gezin betrokken zijn.\n\n"
                    "We gaan uit van **matched care**: de jeugdige krijgt direct de hulp die past bij de "
                    "ernst en complexiteit van de problemen, en niet eerst een lichtere vorm die niet blijkt "
                    "te werken. Dat vraagt om goede afstemming tussen lokale teams en specialistische "
                    "aanbieders bij de toeleiding.\n\n"
                    "De gemeenten willen dat ook **kleinere aanbieders** met specifieke expertise een plek "
                    "houden. Zij kunnen zelfstandig inschrijven, als onderaannemer of in een "
                    "samenwerkingsverband.\n\n"
                    "**Vraag aan aanbieders:** welke voorwaarden zijn voor u nodig om goed te kunnen werken "
                    "in een samenwerkingsverband of als onderaannemer? Welke rol ziet u voor de "
                    "hoofdaannemer bij kwaliteit en declaratie?"
                ),
            },
        ],
    },
]

# Providers' comments on version 1. "quote" is an exact substring of the section body;
# "reply_to" is the index of an earlier comment in this list.
COMMENTS: list[CommentData] = [
    # [0]
    {
        "proposal": "product-structure",
        "section": "productoverzicht",
        "provider": "triade-vitree",
        "kind": "zorg",
        "body": (
            "Afrekenen in minuten past bij de GGZ, maar minder bij een multidisciplinair team waarin een "
            "pedagogisch medewerker, een orthopedagoog en een psychiater samen optrekken. Wij vrezen dat "
            "alle inzet dan per discipline geregistreerd moet worden, met veel administratieve last. Kunt u "
            "toelichten hoe indirecte tijd en multidisciplinair overleg in dit product worden meegenomen?"
        ),
        "quote": "Specialistische jeugd-GGZ behandeling complex",
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 5,
    },
    # [1]
    {
        "proposal": "product-structure",
        "section": "productoverzicht",
        "provider": "re-care",
        "kind": "steun",
        "body": (
            "Dit herkennen wij. Bij ons kost de registratie in minuten voor multidisciplinaire trajecten "
            "naar schatting een halve dag per week per team. Een uurtarief of een trajectprijs zou voor ons "
            "beter werken."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": 0,
        "days_ago": 4,
    },
    # [2]
    {
        "proposal": "product-structure",
        "section": "eenheden-en-bekostiging",
        "provider": "s-heeren-loo",
        "kind": "steun",
        "body": (
            "Wij steunen het dagdeel als eenheid voor dagbehandeling. Het sluit aan op de manier waarop wij "
            "behandeling en onderwijs nu al combineren, en het maakt afspraken met scholen eenvoudiger."
        ),
        "quote": (
            "Voor dagbehandeling gebruiken we het dagdeel van vier uur, zodat een behandeldag met onderwijs "
            "goed te combineren is."
        ),
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 6,
    },
    # [3]
    {
        "proposal": "product-structure",
        "section": "vraag-ontbrekende-producten",
        "provider": "gelukkig-hb",
        "kind": "suggestie",
        "body": (
            "Wij missen hoogbegaafde jeugdigen met complexe problematiek (**dubbel bijzonder**). Zij vallen "
            "vaak tussen wal en schip, omdat hun problemen niet passen bij standaardbehandelingen. Wij "
            "stellen voor deze groep in de vraag expliciet te noemen."
        ),
        "quote": ("bijvoorbeeld jeugdigen met een licht verstandelijke beperking of jeugdigen met genderproblematiek"),
        "suggested_text": (
            "bijvoorbeeld jeugdigen met een licht verstandelijke beperking, hoogbegaafde jeugdigen met "
            "complexe problematiek (dubbel bijzonder) of jeugdigen met genderproblematiek"
        ),
        "reply_to": None,
        "days_ago": 3,
    },
    # [4]
    {
        "proposal": "product-structure",
        "section": "multidisciplinair-werken",
        "provider": "praktijk-dichterbij",
        "kind": "vraag",
        "body": (
            "Wij zijn een kleine praktijk met een GZ-psycholoog en een systeemtherapeut. Telt een vaste "
            "samenwerking met een kinder- en jeugdpsychiater in de buurt als samenwerkingsverband in de zin "
            "van dit voorstel, of moet daar een formele onderaanneming onder liggen?"
        ),
        "quote": (
            "Een aanbieder kan disciplines ook via onderaanneming of in een samenwerkingsverband leveren, "
            "zolang de samenhang geborgd is."
        ),
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 2,
    },
    # [5]
    {
        "proposal": "product-structure",
        "section": "multidisciplinair-werken",
        "provider": "praktijk-dichterbij",
        "kind": "suggestie",
        "body": (
            "Aanvulling: in Dronten en Noordoostpolder werken wij nu al zo samen met een psychiater en een "
            "vaktherapeut. Een modelovereenkomst van SDFL voor zo'n samenwerking zou ons en andere kleine "
            "aanbieders veel helpen."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": 4,
        "days_ago": 1,
    },
    # [6]
    {
        "proposal": "contract-terms",
        "section": "indexering",
        "provider": "leger-des-heils",
        "kind": "zorg",
        "body": (
            "Valt de OVA later in het jaar hoger uit, dan dragen aanbieders het verschil een heel jaar zelf. "
            "Bij forse cao-stijgingen, zoals in de afgelopen jaren, is dat voor aanbieders met veel "
            "personeel een aanzienlijk risico. Wij vragen om een tussentijdse correctie als het verschil "
            "groter is dan één procentpunt."
        ),
        "quote": "Er is geen nacalculatie over het lopende jaar.",
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 2,
    },
    # [7]
    {
        "proposal": "contract-terms",
        "section": "toegang-toewijzing-en-wachttijden",
        "provider": "psymens",
        "kind": "suggestie",
        "body": (
            "Voor complexe GGZ-problematiek is een behandelwachttijd van zes weken met de huidige "
            "personeelstekorten niet voor alle aanbieders direct haalbaar. Wij stellen voor om in 2027 een "
            "overgangstermijn af te spreken."
        ),
        "quote": "behandelwachttijd (van intake tot start van de hulp): **6 weken**",
        "suggested_text": (
            "behandelwachttijd (van intake tot start van de hulp): **6 weken**, met in 2027 een "
            "overgangstermijn van **10 weken**"
        ),
        "reply_to": None,
        "days_ago": 1,
    },
    # [8]
    {
        "proposal": "contract-terms",
        "section": "samenwerking-en-matched-care",
        "provider": "het-kompass",
        "kind": "steun",
        "body": (
            "Wij zijn blij met deze passage. Voor gezinnen met een migratieachtergrond is cultuursensitieve "
            "hulp vaak de sleutel tot een goede behandeling, en die expertise zit nu vooral bij kleinere "
            "aanbieders. Wij denken graag mee over de voorwaarden voor samenwerkingsverbanden."
        ),
        "quote": ("De gemeenten willen dat ook **kleinere aanbieders** met specifieke expertise een plek houden."),
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 0,
    },
    # [9]
    {
        "proposal": "product-structure",
        "section": "consultatie-en-advies",
        "provider": "rodante",
        "kind": "vraag",
        "body": (
            "Geldt het jaarbudget per aanbieder voor de vier gemeenten samen of per gemeente? In Urk en "
            "Noordoostpolder verwachten wij een andere vraag naar consultatie dan in Almere."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 3,
    },
]

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
    location: str  # marked as a demo venue; always in Almere, Dronten, Urk or Noordoostpolder
    status: str  # a SessionStatus; the seeder marks a session held once it has ended
    report: str | None  # published once the session is held
    recording_url: str | None
    attendance: dict[str, int]  # provider slug -> people present; an accepted provider not listed was absent
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


class FrameworkData(TypedDict):
    title: str
    url: str  # only a public address known for certain, else ""
    description: str


class MilestoneData(TypedDict):
    kind: str  # an app.models.MilestoneKind
    title: str
    day_offset: int  # days from the trajectory's anchor day (see app.demo)
    time: str  # "HH:MM", Europe/Amsterdam


class ParticipantData(TypedDict):
    email: str
    name: str
    organisation: str
    stakeholder_group: str  # an app.models.StakeholderGroup
    pseudonym: str | None
    motivation: str
    provider: str | None  # a ProviderData slug: this provider's demo user takes part (group provider)


class ParticipantCommentData(TypedDict):
    proposal: str  # a ProposalData key of the consultation
    section: str
    author: str  # a ParticipantData email
    kind: str | None
    body: str
    quote: str | None
    suggested_text: str | None
    reply_to: int | None  # index in CONSULTATION_COMMENTS
    days_ago: int


class ConsultationData(TypedDict):
    slug: str
    title: str
    care_form: str  # a CareFormData key
    description: str
    selection_intro: str


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
    "tender_reference": "SDFL-2026-MULTI-01 (demo)",
    "description": (
        "In dit dialoogtraject bespreekt Sociaal Domein Flevoland (SDFL) met een selectie van zorgaanbieders "
        "hoe de gemeenten **Almere, Dronten, Urk en Noordoostpolder** vanaf 1 januari 2027 multidisciplinaire "
        'jeugdhulp bij complexe problematiek ("multi") regionaal inkopen. Multi is een van de vier vormen '
        "van jeugdhulp die de regio op grond van de Wet verbetering beschikbaarheid jeugdzorg (WVBJ) "
        "gezamenlijk inkoopt. Voor de andere drie, kortdurend verblijf (logeren), dagbehandeling (KDC) en "
        "specialistische jeugd-GGZ, lopen eigen trajecten met een consultatie.\n\n"
        "In drie dialoogsessies en met reacties op conceptvoorstellen voor de productstructuur en de "
        "contractvoorwaarden werken we samen toe naar een goede en uitvoerbare aanbesteding. De aanbesteding "
        "in 2026 staat open voor elke geïnteresseerde aanbieder, ook voor aanbieders die niet aan de dialoog "
        "deelnemen.\n\n"
        "*Demo: het TenderNed-kenmerk, de data, locaties en aantallen aanwezigen van de sessies en de namen "
        "van contactpersonen zijn verzonnen voor de demonstratie.*"
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
        "contact_name": "Mariëlle Bakker (demo)",
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
        "contact_name": "Jeroen Visser (demo)",
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
        "contact_name": "Fatima El Amrani (demo)",
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
        "contact_name": "Pieter van Dam (demo)",
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
        "contact_name": "Annemiek Hoekstra (demo)",
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
        "contact_name": "Ruud Jansen (demo)",
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
        "contact_name": "Ingrid Smit (demo)",
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
        "contact_name": "Thomas Mulder (demo)",
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
        "contact_name": "Linda Kok (demo)",
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
        "contact_name": "Hendrik de Boer (demo)",
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
        "contact_name": "Esther van Leeuwen (demo)",
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
        "contact_name": "Kim Brouwer (demo)",
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
        "contact_name": "Joost van der Meer (demo)",
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
        "contact_name": "Marloes Dekker (demo)",
        "invitation": "accepted",
    },
]

# Who came to each session (demo numbers): provider slug -> people present. The reports below state the same
# numbers; a test holds them together.
ATTENDANCE_1: dict[str, int] = {
    "arti-care": 1,
    "het-kompass": 2,
    "leger-des-heils": 2,
    "praktijk-dichterbij": 1,
    "psymens": 2,
    "re-care": 2,
    "rodante": 1,
    "s-heeren-loo": 3,
    "triade-vitree": 3,
}
ATTENDANCE_2: dict[str, int] = {
    "arti-care": 1,
    "gelukkig-hb": 1,
    "het-kompass": 1,
    "leger-des-heils": 2,
    "praktijk-dichterbij": 1,
    "psymens": 2,
    "re-care": 2,
    "s-heeren-loo": 2,
    "samen-sterk": 1,
    "triade-vitree": 3,
}
ATTENDANCE_3: dict[str, int] = {
    "gelukkig-hb": 1,
    "leger-des-heils": 2,
    "praktijk-dichterbij": 1,
    "psymens": 1,
    "re-care": 2,
    "rodante": 1,
    "s-heeren-loo": 2,
    "samen-sterk": 1,
    "triade-vitree": 2,
}

REPORT_2 = (
    "## Verslag dialoogsessie 2: contractvoorwaarden en tarieven\n\n"
    "Aanwezig waren 16 mensen van 10 van de 11 deelnemende zorgaanbieders (demo-aantallen), "
    "vertegenwoordigers van de vier gemeenten en het inkoopteam van SDFL.\n\n"
    "### Belangrijkste opbrengst\n\n"
    "- Aanbieders steunen de opbouw van reële tarieven uit kosten van professionals, cliëntgebonden kosten "
    "en overhead, en vragen de kostprijsmodellen vroeg te delen.\n"
    "- Over de indexering is gevraagd om een tussentijdse correctie bij een groot verschil met de OVA. SDFL "
    "neemt dit mee naar de volgende versie.\n"
    "- De behandelwachttijd van zes weken wordt als doel gesteund; enkele aanbieders vragen een "
    "overgangstermijn in 2027.\n"
    "- Kleinere aanbieders vragen een modelovereenkomst voor onderaanneming.\n\n"
    "### Vervolg\n\n"
    "SDFL verwerkt de reacties in nieuwe versies van de voorstellen. De derde sessie gaat over de herziene "
    "stukken en de inkoopprocedure."
)

REPORT_3 = (
    "## Verslag dialoogsessie 3: terugkoppeling en inkoopprocedure\n\n"
    "Aanwezig waren 13 mensen van 9 van de 11 deelnemende zorgaanbieders (demo-aantallen), "
    "vertegenwoordigers van de vier gemeenten en het inkoopteam van SDFL.\n\n"
    "### Belangrijkste opbrengst\n\n"
    "- SDFL lichtte per reactie toe wat wel en niet is overgenomen in de productstructuur en de "
    "contractvoorwaarden.\n"
    "- De procedure voor sociale en andere specifieke diensten en de rol van TenderNed en de nota van "
    "inlichtingen zijn toegelicht. Vragen over de aanbesteding lopen vanaf de publicatie alleen via "
    "TenderNed.\n"
    "- De aanbesteding staat open voor elke geïnteresseerde aanbieder, ook voor wie niet aan de dialoog "
    "deelnam.\n\n"
    "### Vervolg\n\n"
    "Hiermee is het dialoogtraject afgerond. Verslagen en opnames blijven beschikbaar."
)

# Dialogue sessions. day_offset is relative to the dialogue's anchor day (app.demo: the day the seeder runs,
# but never so late that a session would fall after the tender or 1 January 2027); times are Europe/Amsterdam.
SESSIONS: list[SessionData] = [
    {
        "number": 1,
        "title": "Kennismaking en productstructuur",
        "day_offset": -21,
        "start": "13:00",
        "end": "17:00",
        "location": "Stadhuis Almere, Almere (demolocatie)",
        "status": "held",
        "report": (
            "## Verslag dialoogsessie 1: kennismaking en productstructuur\n\n"
            "Aanwezig waren 17 mensen van 9 van de 11 deelnemende zorgaanbieders (demo-aantallen), "
            "vertegenwoordigers van de gemeenten Almere, Dronten, Urk en Noordoostpolder en het inkoopteam van "
            "SDFL.\n\n"
            "### Toelichting\n\n"
            "SDFL lichtte toe welke vier vormen van jeugdhulp de regio op grond van de WVBJ gezamenlijk gaat "
            "inkopen, waarom multi een eigen dialoog heeft en de andere drie vormen een consultatie, en hoe dat "
            "zich verhoudt tot wat al regionaal is ingekocht: 24-uurs jeugdhulp, crisishulp en "
            "hoogspecialistische JGGZ. Daarna is het concept voor de productstructuur in drie subgroepen "
            "besproken.\n\n"
            "### Belangrijkste opbrengst\n\n"
            "- De indeling naar iJw-categorieën wordt herkend. Aanbieders vragen om een scherpere afbakening "
            "tussen multidisciplinaire ambulante behandeling (45M01) en de specialistische jeugd-GGZ uit het "
            "eigen JGGZ-traject.\n"
            "- Het etmaal als eenheid voor behandelverblijf (43M01) krijgt brede steun, mits de behandeling "
            "in het tarief zit.\n"
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
        "attendance": ATTENDANCE_1,
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
                    "SDFL licht toe welke vier vormen van jeugdhulp de regio gezamenlijk moet inkopen, waarom "
                    "multi een eigen dialoog heeft en wat al regionaal is ingekocht."
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
        "day_offset": 5,
        "start": "13:00",
        "end": "17:00",
        "location": "Gemeentehuis Noordoostpolder, Emmeloord (demolocatie)",
        "status": "planned",
        "report": REPORT_2,
        "recording_url": "https://video.example.org/sdfl-multi-sessie-2",
        "attendance": ATTENDANCE_2,
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
        "day_offset": 40,
        "start": "13:00",
        "end": "17:00",
        "location": "Gemeentehuis Dronten, Dronten (demolocatie)",
        "status": "planned",
        "report": REPORT_3,
        "recording_url": "https://video.example.org/sdfl-multi-sessie-3",
        "attendance": ATTENDANCE_3,
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
                    "vast welke multidisciplinaire jeugdhulp bij complexe problematiek zij vanaf 1 januari 2027 "
                    "regionaal inkopen, en "
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
                "heading": "Reikwijdte: multi, naast drie andere trajecten",
                "kind": "text",
                "body": (
                    "De WVBJ verplicht regio's om een aantal vormen van jeugdhulp gezamenlijk in te kopen. "
                    "De regio koopt er vanaf 1 januari 2027 vier samen in:\n\n"
                    "1. kortdurend verblijf (logeren);\n"
                    "2. multidisciplinaire specialistische dagbehandeling (KDC);\n"
                    "3. multidisciplinaire jeugdhulp bij complexe problematiek (multi);\n"
                    "4. multidisciplinaire specialistische jeugd-GGZ bij complexe problematiek.\n\n"
                    "Deze productstructuur gaat alleen over **multi**. Voor de andere drie vormen lopen eigen "
                    "trajecten, met een consultatie van aanbieders, verwijzers, ervaringsdeskundigen en andere "
                    "belanghebbenden.\n\n"
                    "24-uurs jeugdhulp, crisishulp en hoogspecialistische JGGZ koopt de regio al gezamenlijk "
                    "in. Die vallen buiten dit traject. Heeft een jeugdige hulp uit meer trajecten nodig, dan "
                    "verwachten we dat aanbieders hun hulp op elkaar afstemmen.\n\n"
                    "De overige jeugdhulp, zoals lichtere ambulante hulp, valt buiten de regionale inkoop van "
                    "de WVBJ-vormen. Noordoostpolder en Urk kopen ook hun overige, lokale jeugdhulpcontracten "
                    "regionaal in; waar een gemeente zelf lokaal inkoopt, blijft die hulp lokaal geregeld. Het "
                    "grensvlak daarmee werken we uit in het onderdeel over consultatie en advies aan lokale "
                    "teams."
                ),
            },
            {
                "key": "productoverzicht",
                "heading": "Overzicht van de producten",
                "kind": "text",
                "body": (
                    "Het concept bevat vier producten. De eerste twee cijfers van elke code verwijzen naar "
                    "de iJw-productcategorie.\n\n"
                    "| Code | Naam | iJw-categorie | Eenheid | Financieringsvorm |\n"
                    "|---|---|---|---|---|\n"
                    "| 43M01 | Behandelverblijf multidisciplinair complex | 43 Jeugdhulp verblijf (incl. "
                    "behandeling) | Etmaal | Inspanningsgericht |\n"
                    "| 45M01 | Multidisciplinaire ambulante behandeling complex | 45 Jeugdhulp ambulant | "
                    "Uur | Inspanningsgericht |\n"
                    "| 45M02 | Multidisciplinaire diagnostiek | 45 Jeugdhulp ambulant | Stuks (output) | "
                    "Outputgericht |\n"
                    "| 50M01 | Consultatie en advies aan lokale teams | 50 Maatwerkarrangementen jeugd | "
                    "n.v.t. | Taakgericht |\n\n"
                    "Bij het outputgerichte product 45M02 geldt een vast bedrag per afgerond traject. Voor "
                    "50M01 wordt niet per jeugdige toegewezen of gedeclareerd; de aanbieder ontvangt een "
                    "budget voor een afgesproken taak. Een eenheid is daarom niet van toepassing.\n\n"
                    "De producten voor logeren (44M01), dagbehandeling (41M01, 41M02) en specialistische "
                    "jeugd-GGZ (54M01, 54M02) staan in de concepten van de eigen trajecten."
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
                    "hulp bij complexe problematiek sterk verschilt per jeugdige. Ambulante behandeling "
                    "(45M01) rekenen we af in uren. Behandelverblijf (43M01) rekenen we af in etmalen, "
                    "inclusief de behandeling. Voor diagnostiek (45M02) stellen we een vast bedrag per "
                    "afgerond traject voor."
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
                    "2. Is het onderscheid tussen multidisciplinaire ambulante behandeling (45M01) en de "
                    "specialistische jeugd-GGZ uit het eigen JGGZ-traject voor u duidelijk genoeg om goed toe "
                    "te wijzen en te declareren?\n"
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
                    "Voor multidisciplinaire diagnostiek (45M02) stellen we outputgerichte bekostiging voor: "
                    "een vast bedrag per afgerond traject, "
                    "ongeacht de werkelijke inzet.\n\n"
                    "Voordelen zijn minder administratie en meer ruimte voor de professional om de inzet af "
                    "te stemmen op de jeugdige. Een risico is dat de gemiddelde inzet per traject niet past "
                    "bij de zwaarte van de doelgroep.\n\n"
                    "We horen graag van u:\n\n"
                    "- Wat is in uw ervaring de gemiddelde duur en inzet van een diagnostisch traject?\n"
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
                    "Deze voorwaarden gelden voor de levering van multidisciplinaire jeugdhulp bij complexe "
                    "problematiek, een van de vier vormen die de gemeenten Almere, Dronten, Urk en "
                    "Noordoostpolder op grond van de WVBJ regionaal inkopen. Voor kortdurend verblijf, "
                    "dagbehandeling en specialistische jeugd-GGZ gelden de voorwaarden uit hun eigen "
                    "trajecten.\n\n"
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
                    "- behandelwachttijd (van intake tot start van de hulp): **6 weken**.\n\n"
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
            "Afrekenen in uren past bij één behandelaar, maar minder bij een multidisciplinair team waarin een "
            "pedagogisch medewerker, een orthopedagoog en een psychiater samen optrekken. Wij vrezen dat "
            "alle inzet dan per discipline geregistreerd moet worden, met veel administratieve last. Kunt u "
            "toelichten hoe indirecte tijd en multidisciplinair overleg in dit product worden meegenomen?"
        ),
        "quote": "Multidisciplinaire ambulante behandeling complex",
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
            "Dit herkennen wij. Bij ons kost de registratie per uur en per discipline voor multidisciplinaire trajecten "
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
            "Wij steunen het etmaal als eenheid voor behandelverblijf. Het sluit aan op de manier waarop wij "
            "wonen en behandeling nu al combineren, en het voorkomt dat behandeling per discipline apart "
            "gedeclareerd moet worden."
        ),
        "quote": "Behandelverblijf (43M01) rekenen we af in etmalen, inclusief de behandeling.",
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

# Frameworks (kaders). The documents are real; their descriptions are written for the demo. A link only where the
# public address is known for certain; none is, so each says it has no link in the demo.
FRAMEWORK_LANDELIJKE_PRODUCTSTRUCTUUR: FrameworkData = {
    "title": "Landelijke productstructuur jeugdhulp",
    "url": "",
    "description": (
        "De landelijke indeling van jeugdhulp in productcategorieën en eenheden (iJw-standaard), waarop de "
        "regionale producten aansluiten. Demo: zonder link naar het document."
    ),
}
FRAMEWORK_HERVORMINGSAGENDA: FrameworkData = {
    "title": "Hervormingsagenda Jeugd 2023-2028",
    "url": "",
    "description": (
        "Afspraken van Rijk, gemeenten, aanbieders, cliëntorganisaties en professionals over de toekomst van de "
        "jeugdzorg, waaronder de regionale inkoop van specialistische jeugdhulp. Demo: zonder link naar het "
        "document."
    ),
}
FRAMEWORK_GROEIPIJN: FrameworkData = {
    "title": "Groeipijn",
    "url": "",
    "description": (
        "Het advies van de Deskundigencommissie Hervormingsagenda Jeugd (januari 2025) over de voortgang van "
        "de Hervormingsagenda. Demo: zonder link naar het document."
    ),
}
FRAMEWORK_REGIONALE_VISIE: FrameworkData = {
    "title": "Regionale visie op jeugdhulp Flevoland (demo)",
    "url": "",
    "description": (
        "De gezamenlijke visie van de gemeenten op jeugdhulp in de regio. Demo: titel en omschrijving zijn voor "
        "de demonstratie geschreven, zonder link naar het document."
    ),
}
FRAMEWORK_INKOOPSTRATEGIE: FrameworkData = {
    "title": "Regionale inkoopstrategie WVBJ-jeugdhulp (vastgesteld 17 juni 2025)",
    "url": "",
    "description": (
        "De strategie waarmee de gemeenten de vier WVBJ-vormen vanaf 1 januari 2027 gezamenlijk inkopen. "
        "Demo: zonder link naar het document."
    ),
}

FRAMEWORKS: list[FrameworkData] = [
    FRAMEWORK_LANDELIJKE_PRODUCTSTRUCTUUR,
    FRAMEWORK_HERVORMINGSAGENDA,
    FRAMEWORK_GROEIPIJN,
    FRAMEWORK_REGIONALE_VISIE,
    FRAMEWORK_INKOOPSTRATEGIE,
]

# The multi dialogue's timeline, in days from its anchor day (today, or earlier; see app.demo.anchor_day and
# app.demo). Every date here is invented and says so; the contract start (1 January 2027) is a fact and is
# seeded by app.demo, as are the "documents one week before each session" milestones.
MILESTONES: list[MilestoneData] = [
    {
        "kind": "save_the_date",
        "title": "Save-the-dates voor de drie dialoogsessies verstuurd (demodatum)",
        "day_offset": -42,
        "time": "09:00",
    },
    {
        "kind": "window_close",
        "title": "Reactietermijn conceptvoorstellen sluit (demodatum)",
        "day_offset": 21,
        "time": "17:00",
    },
    {
        "kind": "tender",
        "title": "Publicatie van de aanbesteding op TenderNed (demodatum)",
        "day_offset": 54,
        "time": "09:00",
    },
]
PACKAGE_RELEASE_TITLE = "Stukken voor sessie {number}, een week vooraf (demodatum)"
CONTRACT_START_TITLE = "Start van de contracten"

# The consultation on kortdurend verblijf (logeren): open to approved participants from stakeholder groups.
CONSULTATION: ConsultationData = {
    "slug": "logeren-2027",
    "title": "Consultatie kortdurend verblijf (logeren)",
    "care_form": "kortdurend-verblijf",
    "description": (
        "Sociaal Domein Flevoland (SDFL) bereidt namens **Almere, Dronten, Urk en Noordoostpolder** de "
        "regionale inkoop van kortdurend verblijf (logeren) voor, een van de vier vormen van jeugdhulp die de "
        "regio op grond van de WVBJ gezamenlijk inkoopt. In deze consultatie vragen we zorgaanbieders, lokale "
        "en externe verwijzers, ervaringsdeskundigen en andere belanghebbenden om te reageren op de "
        "conceptproductbeschrijving en de conceptkwaliteitseisen. Het inkoopteam verwerkt de reacties en "
        "laat weten wat ermee is gedaan.\n\n"
        "*Demo: de data, de deelnemers en hun organisaties zijn verzonnen voor de demonstratie.*"
    ),
    "selection_intro": (
        "Iedereen die met logeren te maken heeft, kan vragen om mee te doen: zorgaanbieders, lokale verwijzers "
        "(zoals wijkteams), externe verwijzers (zoals huisartsen en jeugdartsen), ervaringsdeskundigen en andere "
        "belanghebbenden. SDFL beoordeelt elk verzoek. Ervaringsdeskundigen kunnen meedoen onder een "
        "pseudoniem: andere deelnemers zien dan alleen het pseudoniem."
    ),
}
CONSULTATION_FRAMEWORKS: list[FrameworkData] = [
    FRAMEWORK_LANDELIJKE_PRODUCTSTRUCTUUR,
    FRAMEWORK_HERVORMINGSAGENDA,
    FRAMEWORK_INKOOPSTRATEGIE,
]
# Days from the day the seeder runs (the consultation is open now).
CONSULTATION_MILESTONES: list[MilestoneData] = [
    {
        "kind": "other",
        "title": "Consultatie geopend voor deelnemers (demodatum)",
        "day_offset": -7,
        "time": "09:00",
    },
    {
        "kind": "window_close",
        "title": "Reactietermijn consultatie sluit (demodatum)",
        "day_offset": 21,
        "time": "17:00",
    },
    {
        "kind": "other",
        "title": "Terugkoppeling: wat is er met de reacties gedaan (demodatum)",
        "day_offset": 42,
        "time": "12:00",
    },
]

# The participants are invented for the demo (and say so); the provider takes part with its demo user.
PARTICIPANTS: list[ParticipantData] = [
    {
        "email": "verwijzer@example.org",
        "name": "Sandra Hoekman (demo)",
        "organisation": "Wijkteam Almere (demo)",
        "stakeholder_group": "local_referrer",
        "pseudonym": None,
        "motivation": "Ik verwijs gezinnen vanuit het wijkteam naar logeren en zie waar het vastloopt.",
        "provider": None,
    },
    {
        "email": "ervaringsdeskundige@example.org",
        "name": "Marieke Postma (demo)",
        "organisation": "",
        "stakeholder_group": "experience_expert",
        "pseudonym": "Ervaringsdeskundige Sanne (pseudoniem)",
        "motivation": "Onze zoon logeert al jaren; ik wil graag meedenken over wat ouders en kinderen nodig hebben.",
        "provider": None,
    },
    {
        "email": "huisarts@example.org",
        "name": "Karim Benali (demo)",
        "organisation": "Huisartsenpraktijk Emmeloord (demo)",
        "stakeholder_group": "external_referrer",
        "pseudonym": None,
        "motivation": "Als huisarts verwijs ik soms naar jeugdhulp met verblijf en wil ik weten hoe de toegang loopt.",
        "provider": None,
    },
    {
        "email": "s-heeren-loo@example.org",
        "name": "Esther van Leeuwen (demo)",
        "organisation": "'s Heeren Loo",
        "stakeholder_group": "provider",
        "pseudonym": None,
        "motivation": "Wij bieden logeren voor jeugdigen met een verstandelijke beperking (demo).",
        "provider": "s-heeren-loo",
    },
]

CONSULTATION_PROPOSALS: list[ProposalData] = [
    {
        "key": "logeren-productbeschrijving",
        "topic": "product_structure",
        "title": "Productbeschrijving kortdurend verblijf (logeren)",
        "summary": (
            "Concept voor het regionale product kortdurend verblijf: wat logeren is, voor wie, met welke eenheid "
            "en hoe de toegang loopt."
        ),
        "public": True,
        "change_summary": "Eerste concept voor de consultatie.",
        "sections": [
            {
                "key": "wat-is-logeren",
                "heading": "Wat is kortdurend verblijf?",
                "kind": "text",
                "body": (
                    "Kortdurend verblijf (logeren) is tijdelijk verblijf van een jeugdige buiten het eigen gezin, "
                    "zodat ouders worden ontlast en de jeugdige thuis kan blijven wonen. De jeugdige logeert "
                    "bijvoorbeeld een weekend per maand in een logeerhuis, bij een gastgezin of in een "
                    "kleinschalige voorziening.\n\n"
                    "Logeren is geen behandeling. Heeft de jeugdige ook behandeling nodig, dan valt die onder een "
                    "ander product."
                ),
            },
            {
                "key": "product-en-eenheid",
                "heading": "Product, eenheid en bekostiging",
                "kind": "text",
                "body": (
                    "In het concept is logeren één regionaal product:\n\n"
                    "| Code | Naam | iJw-categorie | Eenheid | Financieringsvorm |\n"
                    "|---|---|---|---|---|\n"
                    "| 44M01 | Kortdurend verblijf (logeren) | 44 Jeugdhulp verblijf (excl. behandeling) | Etmaal | "
                    "Inspanningsgericht |\n\n"
                    "De gemeente wijst een aantal etmalen per jaar toe; de aanbieder declareert de etmalen "
                    "waarin de jeugdige heeft gelogeerd. De code is een regionale conceptcode, nog geen "
                    "definitieve code."
                ),
            },
            {
                "key": "voor-wie",
                "heading": "Voor wie?",
                "kind": "text",
                "body": (
                    "Logeren is bedoeld voor jeugdigen bij wie de zorg thuis zo zwaar is dat ouders regelmatig "
                    "ontlast moeten worden, bijvoorbeeld bij een verstandelijke beperking, autisme, een "
                    "lichamelijke beperking of ernstige gedragsproblemen. Broers en zussen hebben daar ook baat "
                    "bij."
                ),
            },
            {
                "key": "toegang",
                "heading": "Toegang en toewijzing",
                "kind": "text",
                "body": (
                    "Een jeugdige kan logeren na een toewijzing door het lokale team van de gemeente of na een "
                    "verwijzing door een huisarts, jeugdarts of medisch specialist. De toewijzing geldt voor "
                    "een jaar, met een maximum aantal etmalen. Binnen dat maximum spreken ouders en aanbieder "
                    "samen de logeermomenten af."
                ),
            },
            {
                "key": "vraag-ervaringen",
                "heading": "Vraag: wat maakt logeren goed?",
                "kind": "question",
                "body": (
                    "We horen graag van jeugdigen, ouders, verwijzers en aanbieders:\n\n"
                    "1. Wat maakt logeren voor de jeugdige en het gezin goed?\n"
                    "2. Waar loopt het nu vast: bij het vinden van een plek, de toegang of de planning?\n"
                    "3. Past een jaartoewijzing met een maximum aantal etmalen bij de praktijk?"
                ),
            },
        ],
    },
    {
        "key": "logeren-kwaliteitseisen",
        "topic": "requirements",
        "title": "Concept kwaliteitseisen kortdurend verblijf",
        "summary": "Eerste concept van de kwaliteitseisen voor logeren. Alleen zichtbaar voor deelnemers aan de consultatie.",
        "public": False,
        "change_summary": "Eerste concept voor de consultatie.",
        "sections": [
            {
                "key": "vaste-gezichten",
                "heading": "Vaste gezichten en een vaste plek",
                "kind": "text",
                "body": (
                    "De jeugdige logeert zo veel mogelijk op dezelfde plek en bij dezelfde begeleiders. Een "
                    "wisseling van plek of begeleider bespreekt de aanbieder vooraf met de ouders en, waar "
                    "dat kan, met de jeugdige."
                ),
            },
            {
                "key": "veiligheid",
                "heading": "Veiligheid",
                "kind": "text",
                "body": (
                    "Iedere begeleider heeft een verklaring omtrent het gedrag (VOG). De aanbieder werkt met de "
                    "meldcode huiselijk geweld en kindermishandeling en heeft een klachtenregeling."
                ),
            },
            {
                "key": "vraag-planning",
                "heading": "Vraag: hoe ver vooruit plannen?",
                "kind": "question",
                "body": (
                    "Hoe ver vooruit moet een logeerweekend vastliggen, zodat ouders erop kunnen rekenen en "
                    "aanbieders hun personeel kunnen plannen?"
                ),
            },
        ],
    },
]

# Participants' comments on the consultation's proposals; "reply_to" is an index in this list.
CONSULTATION_COMMENTS: list[ParticipantCommentData] = [
    # [0]
    {
        "proposal": "logeren-productbeschrijving",
        "section": "wat-is-logeren",
        "author": "ervaringsdeskundige@example.org",
        "kind": "steun",
        "body": (
            "Herkenbaar. Voor ons gezin is logeren de reden dat onze zoon thuis kan blijven wonen. Het werkt "
            "alleen als hij de begeleiders kent: een nieuwe plek kost hem weken om te wennen."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 6,
    },
    # [1]
    {
        "proposal": "logeren-productbeschrijving",
        "section": "toegang",
        "author": "verwijzer@example.org",
        "kind": "vraag",
        "body": (
            "Moet het wijkteam bij een wijziging van het aantal etmalen binnen het jaar een nieuwe toewijzing "
            "maken? Dat gebeurt nu vaak, en het kost gezinnen en ons veel tijd."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 5,
    },
    # [2]
    {
        "proposal": "logeren-productbeschrijving",
        "section": "toegang",
        "author": "s-heeren-loo@example.org",
        "kind": None,
        "body": (
            "Een jaartoewijzing met een maximum werkt voor ons goed, als we binnen dat maximum mogen schuiven "
            "tussen maanden. Dan is een nieuwe toewijzing alleen nodig als het maximum omhoog moet."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": 1,
        "days_ago": 4,
    },
    # [3]
    {
        "proposal": "logeren-productbeschrijving",
        "section": "toegang",
        "author": "huisarts@example.org",
        "kind": "zorg",
        "body": (
            "Als huisarts weet ik vaak niet welke aanbieder een logeerplek vrij heeft. Een regionaal overzicht "
            "van beschikbare plekken zou verwijzen veel eenvoudiger maken."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 3,
    },
    # [4]
    {
        "proposal": "logeren-kwaliteitseisen",
        "section": "vaste-gezichten",
        "author": "ervaringsdeskundige@example.org",
        "kind": "suggestie",
        "body": (
            "Graag ook opnemen dat ouders een vast aanspreekpunt bij de aanbieder hebben, niet alleen de "
            "jeugdige vaste begeleiders."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 2,
    },
    # [5]
    {
        "proposal": "logeren-productbeschrijving",
        "section": "vraag-ervaringen",
        "author": "verwijzer@example.org",
        "kind": "suggestie",
        "body": (
            "Het vastlopen zit bij ons vooral in het vinden van een plek in Almere zelf. Gezinnen willen geen "
            "uur rijden voor een logeerweekend."
        ),
        "quote": None,
        "suggested_text": None,
        "reply_to": None,
        "days_ago": 1,
    },
]


# --- questions and the nota van inlichtingen (issue 17) -------------------------------------------------------

# The first nota of the multi dialogue, released with the package of session 1; the questions are invented for
# the demo, asked by providers that accepted, and published in SDFL's neutral wording.
NOTA_TITLE = "Vragen over sessie 1 (demo)"
NOTA_INTRO = (
    "Deze nota bevat de vragen die deelnemers vóór de eerste sessie stelden, met de antwoorden van SDFL en de "
    "gemeenten. Vragen zijn geanonimiseerd en waar nodig samengevoegd. Dit is demodata."
)


class QuestionData(TypedDict):
    asker: str  # provider slug
    original: str
    text: str  # SDFL's neutral wording
    answer: str  # Markdown
    in_nota: bool


QUESTIONS: list[QuestionData] = [
    {
        "asker": "rodante",
        "original": "Wij zijn een kleine aanbieder in Urk: worden wij straks benadeeld als jullie per product inkopen?",
        "text": "Worden kleine aanbieders benadeeld als per product wordt ingekocht?",
        "answer": (
            "Nee. De productstructuur bepaalt wat er wordt ingekocht, niet door wie. De aanbesteding staat open "
            "voor iedere aanbieder die aan de eisen voldoet, groot of klein. In sessie 2 bespreken we de "
            "minimale omvang van de producten."
        ),
        "in_nota": True,
    },
    {
        "asker": "re-care",
        "original": "Komen de stukken voor sessie 2 ook weer een week van tevoren? Wij moeten intern afstemmen.",
        "text": "Worden de stukken voor elke sessie een week van tevoren gedeeld?",
        "answer": (
            "Ja. Eén week voor elke sessie ontvangen alle deelnemers tegelijk de stukken en de vragen van SDFL en "
            "de gemeenten, als één pakket."
        ),
        "in_nota": True,
    },
    {
        "asker": "psymens",
        "original": "Tellen de verslagen van de sessies mee in de beoordeling van de aanbesteding?",
        "text": "Tellen de verslagen van de dialoogsessies mee bij de beoordeling in de aanbesteding?",
        "answer": (
            "Nee. De dialoog is geen onderdeel van de beoordeling. De verslagen zijn openbaar, zodat ook "
            "aanbieders die niet deelnemen kunnen volgen wat er besproken is."
        ),
        "in_nota": True,
    },
    {
        "asker": "rodante",
        "original": "Hoe gaan jullie om met wachtlijsten bij de nieuwe producten? Wij zien die bij ons oplopen.",
        "text": "Hoe wordt met wachtlijsten omgegaan bij de nieuwe producten?",
        "answer": "",
        "in_nota": False,
    },
]

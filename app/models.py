"""Every table of Dialoog (DESIGN.md section 2).

Conventions: table names are plural snake_case; timestamps are timezone-aware and stored in UTC
(``UTCDateTime``); enumerations are stored as short strings and their allowed values live in the
``StrEnum`` classes below, so adding a value needs no migration. Relationships are resolved with
explicit queries in the services (no lazy loading, so no hidden N+1 queries).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, BigInteger, Column, Date, Index, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

# --- enumerations -------------------------------------------------------------------------------


class Role(StrEnum):
    admin = "admin"
    municipality = "municipality"
    provider = "provider"
    participant = "participant"  # an approved consultation participant who does not act for a provider


class DialogueKind(StrEnum):
    dialogue = "dialogue"  # invite-only: selected providers, sessions, subgroups
    consultation = "consultation"  # open to approved participants from stakeholder groups


class DialogueStatus(StrEnum):
    draft = "draft"  # being prepared: only staff see it
    active = "active"
    closed = "closed"  # finished: its pages stay readable
    archived = "archived"  # out of the lists; kept because history depends on it


class StakeholderGroup(StrEnum):
    provider = "provider"
    local_referrer = "local_referrer"
    external_referrer = "external_referrer"
    experience_expert = "experience_expert"
    other = "other"


class MilestoneKind(StrEnum):
    save_the_date = "save_the_date"
    package_release = "package_release"
    window_close = "window_close"
    tender = "tender"
    contract_start = "contract_start"
    other = "other"


class CriterionBasis(StrEnum):
    """What the coverage of a selection criterion is counted from."""

    size = "size"  # the providers' sizes
    target_groups = "target_groups"  # target groups and expertise tags
    contracting = "contracting"  # contracted municipalities and activity outside Flevoland
    assessment = "assessment"  # SDFL's own assessment per provider (e.g. the attitude criterion)


class ParticipationStatus(StrEnum):
    unconfirmed = "unconfirmed"  # asked; the email address is not confirmed yet
    requested = "requested"  # confirmed; waits for SDFL's decision
    approved = "approved"
    refused = "refused"
    withdrawn = "withdrawn"  # SDFL ended the participation


class ProviderSize(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


class InvitationStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"  # SDFL withdrew the invitation: the provider no longer takes part


class SessionStatus(StrEnum):
    planned = "planned"
    held = "held"
    cancelled = "cancelled"


class AgendaFormat(StrEnum):
    plenary = "plenary"
    subgroups = "subgroups"


class Audience(StrEnum):
    participants = "participants"
    public = "public"


class ProposalTopic(StrEnum):
    product_structure = "product_structure"
    contract_terms = "contract_terms"
    requirements = "requirements"
    preconditions = "preconditions"
    procurement_process = "procurement_process"


class ProposalStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class VersionStatus(StrEnum):
    draft = "draft"
    published = "published"


class SectionKind(StrEnum):
    text = "text"
    question = "question"


class CommentKind(StrEnum):
    steun = "steun"
    zorg = "zorg"
    vraag = "vraag"
    suggestie = "suggestie"


class CommentStatus(StrEnum):
    nieuw = "nieuw"
    in_behandeling = "in_behandeling"
    overgenomen = "overgenomen"
    deels_overgenomen = "deels_overgenomen"
    niet_overgenomen = "niet_overgenomen"
    bespreken_in_sessie = "bespreken_in_sessie"


class Visibility(StrEnum):
    participants = "participants"
    internal = "internal"


class Stance(StrEnum):
    eens = "eens"
    oneens = "oneens"
    neutraal = "neutraal"
    toelichting = "toelichting"


class ApiScope(StrEnum):
    read = "read"
    write = "write"


class QuestionStatus(StrEnum):
    open = "open"  # asked; SDFL (and the municipalities) work on it
    merged = "merged"  # a duplicate: answered with the question ``merged_into_id``
    answered = "answered"  # its answer is drafted; published when the nota it is in is released


class ReleaseStatus(StrEnum):
    """Of a nota van inlichtingen and of a release package."""

    draft = "draft"  # being put together: only SDFL and the municipalities' reviewers see it
    scheduled = "scheduled"  # goes out at ``release_at`` if every required municipality approved by then
    released = "released"  # out, at ``released_at``; immutable
    blocked = "blocked"  # its moment came without every required approval: did not go out


class SignoffSubject(StrEnum):
    """What municipalities sign off before it goes out."""

    nota = "nota"
    package = "package"
    replies = "replies"  # official replies and decisions (the response report) of one trajectory


class SignoffDecision(StrEnum):
    approve = "approve"
    object = "object"


class ArchiveStatus(StrEnum):
    queued = "queued"  # asked for; the scheduler builds it
    building = "building"
    done = "done"
    failed = "failed"


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"  # claimed by a worker that is talking to SMTP (until claimed_until)
    sent = "sent"
    failed = "failed"
    logged = "logged"


# Target groups and expertise SDFL selects on (DESIGN.md section 2), slug -> Dutch label.
TARGET_GROUPS: dict[str, str] = {
    "lvb": "LVB",
    "ggz": "GGZ",
    "jo": "J&O",
    "intercultureel": "Intercultureel",
    "levensbeschouwelijk": "Levensbeschouwelijk",
    "forensisch": "Forensisch",
    "autisme": "Autisme",
    "gender": "Gender",
    "hoogbegaafdheid": "Hoogbegaafdheid",
    "complexe-scheidingen": "Complexe scheidingen",
    "wmo-grensvlak": "Grensvlak Wmo",
}


# Ids are INTEGER columns (32 bits on PostgreSQL). A larger id cannot exist, and SQLite cannot even bind one
# past 64 bits (OverflowError): look-ups by an id from a URL or a request body check it first.
MAX_ID = 2_147_483_647


def is_valid_id(value: int | None) -> bool:
    """An id a row can have: ``False`` means "no such row", without asking the database."""
    return value is not None and 1 <= value <= MAX_ID


class _Row(Protocol):
    id: int | None


def id_of(row: _Row) -> int:
    """The id of a row that is stored (loaded, or added and flushed): a row without one is a bug here."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush the session first")
    return row.id


def _ts(**kwargs: Any) -> Any:
    """A UTC timestamp column."""
    return Field(sa_type=UTCDateTime, **kwargs)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


# --- the dialogue and who takes part -----------------------------------------------------------


class CareForm(SQLModel, table=True):
    __tablename__ = "care_forms"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    archived_at: datetime | None = _ts(default=None)  # kept for history, out of the lists
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)  # feed


class Municipality(SQLModel, table=True):
    __tablename__ = "municipalities"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=4, unique=True)  # CBS municipality code
    name: str = Field(max_length=100, unique=True)
    in_procurement: bool = True
    archived_at: datetime | None = _ts(default=None)  # kept for history, out of the lists
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)  # feed


class Dialogue(SQLModel, table=True):
    __tablename__ = "dialogues"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True)
    kind: str = Field(default=DialogueKind.dialogue, max_length=20)
    title: str = Field(max_length=200)
    care_form_id: int | None = Field(default=None, foreign_key="care_forms.id", index=True)
    description: str = Field(default="", sa_type=Text)  # Markdown
    selection_intro: str = Field(default="", sa_type=Text)  # Markdown before the criteria list
    tender_reference: str = Field(default="", max_length=100)
    status: str = Field(default=DialogueStatus.active, max_length=20)
    # Sign-off: False, every municipality in the procurement must approve a release; True, those in
    # ``signoff_municipalities`` (possibly none).
    signoff_chosen: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = _created()
    updated_at: datetime = _created()


class SelectionCriterion(SQLModel, table=True):
    """One of a trajectory's selection criteria, in order."""

    __tablename__ = "selection_criteria"

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    position: int = 0
    title: str = Field(max_length=200)
    text: str = Field(default="", sa_type=Text)
    basis: str = Field(default=CriterionBasis.assessment, max_length=20)


class CriterionAssessment(SQLModel, table=True):
    """SDFL's assessment of a provider against a criterion counted by assessment."""

    __tablename__ = "criterion_assessments"

    criterion_id: int = Field(foreign_key="selection_criteria.id", primary_key=True, ondelete="CASCADE")
    provider_id: int = Field(foreign_key="providers.id", primary_key=True, index=True)
    meets: bool = True
    note: str = Field(default="", max_length=500)


class Framework(SQLModel, table=True):
    """A framework (kader) a trajectory works within: a title with a link or one of its documents."""

    __tablename__ = "frameworks"

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    position: int = 0
    title: str = Field(max_length=200)
    url: str = Field(default="", max_length=500)
    document_id: int | None = Field(default=None, foreign_key="documents.id")
    description: str = Field(default="", max_length=1000)


class Milestone(SQLModel, table=True):
    """A dated step of a trajectory's timeline; ``met_at`` records when it was done."""

    __tablename__ = "milestones"

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    kind: str = Field(default=MilestoneKind.other, max_length=20)
    title: str = Field(max_length=200)
    due_at: datetime = _ts()
    session_id: int | None = Field(default=None, foreign_key="dialogue_sessions.id")
    met_at: datetime | None = _ts(default=None)
    created_at: datetime = _created()


class Provider(SQLModel, table=True):
    __tablename__ = "providers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=100, unique=True)
    size: str = Field(default=ProviderSize.medium, max_length=20)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active_outside_flevoland: bool = False
    website: str = Field(default="", max_length=300)
    description: str = Field(default="", sa_type=Text)
    illustrative: bool = False  # demo data: tags are invented and shown as such
    archived_at: datetime | None = _ts(default=None)  # kept for history, out of the lists
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ProviderMunicipality(SQLModel, table=True):
    """A municipality where a provider is contracted."""

    __tablename__ = "provider_municipalities"

    provider_id: int = Field(foreign_key="providers.id", primary_key=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipalities.id", primary_key=True, index=True)


# The organisation a user of a role acts for: the User field that links it (SDFL's admins act for SDFL).
USER_LINK: dict[str, str] = {Role.provider: "provider_id", Role.municipality: "municipality_id"}


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)  # stored lower-cased: unique case-insensitively
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=20)
    municipality_id: int | None = Field(default=None, foreign_key="municipalities.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="providers.id", index=True)
    password_hash: str | None = Field(default=None, max_length=300)
    active: bool = True
    locale: str | None = Field(default=None, max_length=10)
    # Consultation participants: the group they speak for, the organisation they name (a provider's users have
    # their provider) and, for experience experts, the pseudonym other participants see instead of the name.
    stakeholder_group: str | None = Field(default=None, max_length=30)
    organisation: str = Field(default="", max_length=200)
    pseudonym: str | None = Field(default=None, max_length=100)
    last_login_at: datetime | None = _ts(default=None)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Invitation(SQLModel, table=True):
    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("dialogue_id", "provider_id"),)

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    provider_id: int = Field(foreign_key="providers.id", index=True)
    status: str = Field(default=InvitationStatus.pending, max_length=20)
    invited_at: datetime = _created()
    reminded_at: datetime | None = _ts(default=None)
    responded_at: datetime | None = _ts(default=None)
    responded_by_id: int | None = Field(default=None, foreign_key="users.id")
    note: str = Field(default="", sa_type=Text)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)  # feed


class Participation(SQLModel, table=True):
    """A person's request to take part in a consultation (or SDFL adding them), and SDFL's decision.

    The person's details are kept here until approval makes (or finds) their user; ``user_id`` is set then."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("dialogue_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)  # lower-cased
    organisation: str = Field(default="", max_length=200)
    stakeholder_group: str = Field(max_length=30)
    pseudonym: str | None = Field(default=None, max_length=100)
    motivation: str = Field(default="", sa_type=Text)
    locale: str | None = Field(default=None, max_length=10)  # the language of the mails to this person
    status: str = Field(default=ParticipationStatus.unconfirmed, max_length=20)
    confirm_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    confirmed_at: datetime | None = _ts(default=None)
    decided_at: datetime | None = _ts(default=None)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decision_note: str = Field(default="", sa_type=Text)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Follower(SQLModel, table=True):
    """Someone who follows a trajectory by email (double opt-in); the address is kept only for this."""

    __tablename__ = "followers"
    __table_args__ = (UniqueConstraint("dialogue_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    email: str = Field(max_length=320)  # lower-cased
    locale: str | None = Field(default=None, max_length=10)
    token_hash: str = Field(max_length=64, unique=True)  # confirms and unsubscribes
    confirmed_at: datetime | None = _ts(default=None)
    created_at: datetime = _created()


# --- sessions ----------------------------------------------------------------------------------


class DialogueSession(SQLModel, table=True):
    __tablename__ = "dialogue_sessions"
    __table_args__ = (UniqueConstraint("dialogue_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    number: int
    title: str = Field(max_length=200)
    starts_at: datetime = _ts()
    ends_at: datetime = _ts()
    location: str = Field(default="", max_length=300)
    status: str = Field(default=SessionStatus.planned, max_length=20)
    documents_release_at: datetime | None = _ts(default=None)
    # Questions about this session are taken until then (None: the day before its release package goes out).
    questions_until: datetime | None = _ts(default=None)
    # The recording: whether the session is recorded (attendees are asked for their consent), then a link or an
    # uploaded file (``recording_file_path``, in the data directory), for participants or the public, released at
    # ``recording_release_at`` (None: together with the report).
    recorded: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    recording_url: str | None = Field(default=None, max_length=500)
    recording_file_path: str | None = Field(default=None, max_length=500)
    recording_filename: str | None = Field(default=None, max_length=255)
    recording_content_type: str | None = Field(default=None, max_length=100)
    recording_size: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    recording_audience: str = Field(
        default=Audience.public, max_length=20, sa_column_kwargs={"server_default": Audience.public.value}
    )
    recording_release_at: datetime | None = _ts(default=None)
    recording_changed_at: datetime | None = _ts(default=None)  # the recording's last change (staff see it at once)
    report: str = Field(default="", sa_type=Text)  # Markdown
    report_published_at: datetime | None = _ts(default=None)
    # Where SDFL published the report on TenderNed (all three, or none).
    tenderned_published_on: date | None = Field(default=None, sa_type=Date)
    tenderned_reference: str | None = Field(default=None, max_length=100)
    tenderned_url: str | None = Field(default=None, max_length=500)
    ics_uid: str = Field(max_length=200, unique=True)  # stable calendar UID
    ics_sequence: int = 0  # raised on every change that matters to a calendar
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Attendance(SQLModel, table=True):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "provider_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="dialogue_sessions.id", index=True)
    provider_id: int = Field(foreign_key="providers.id", index=True)
    attended: bool = False
    people: int = 0


def has_recording(meeting: DialogueSession) -> bool:
    return bool(meeting.recording_url or meeting.recording_file_path)


def recording_release_moment(meeting: DialogueSession) -> datetime | None:
    """When a session's recording is released: its own moment, else the report's publication (None: not yet
    scheduled, or no recording). Released once that moment has passed."""
    if not has_recording(meeting):
        return None
    return meeting.recording_release_at or meeting.report_published_at


class RecordingConsent(SQLModel, table=True):
    """An attendee's answer to "may we record you?" for one recorded session: given by the person (``source``
    "self") or noted by SDFL, e.g. an objection made by phone ("staff")."""

    __tablename__ = "recording_consents"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="dialogue_sessions.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True)
    consent: bool
    source: str = Field(default="self", max_length=20)
    note: str = Field(default="", max_length=500)
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_items"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="dialogue_sessions.id", index=True)
    position: int = 0
    starts_at: datetime = _ts()
    ends_at: datetime = _ts()
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    format: str = Field(default=AgendaFormat.plenary, max_length=20)
    proposal_id: int | None = Field(default=None, foreign_key="proposals.id", index=True)
    # Who drafted it and who changed it last (SDFL or a municipality's user): drafts show who wrote what.
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)  # feed


class SubgroupAssignment(SQLModel, table=True):
    """Which subgroup a provider joins for an agenda item in subgroups."""

    __tablename__ = "subgroup_assignments"
    __table_args__ = (UniqueConstraint("agenda_item_id", "provider_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agenda_item_id: int = Field(foreign_key="agenda_items.id", index=True, ondelete="CASCADE")
    provider_id: int = Field(foreign_key="providers.id", index=True)
    subgroup: str = Field(max_length=100)


class AgendaItemComment(SQLModel, table=True):
    """Feedback put on the agenda: the comments an agenda item came from."""

    __tablename__ = "agenda_item_comments"

    agenda_item_id: int = Field(foreign_key="agenda_items.id", primary_key=True, ondelete="CASCADE")
    comment_id: int = Field(foreign_key="comments.id", primary_key=True, index=True)
    # Putting a comment on the agenda is one of SDFL's decisions about it: its author and the other participants
    # see the link from the moment the review is released (``app.feedback.release``), not before.
    released_at: datetime | None = _ts(default=None)


class Document(SQLModel, table=True):
    __tablename__ = "documents"

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="dialogue_sessions.id", index=True)
    title: str = Field(max_length=200)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=150)
    size: int = 0
    sha256: str = Field(max_length=64)
    storage_path: str = Field(max_length=500)  # relative to the data directory
    audience: str = Field(default=Audience.participants, max_length=20)
    release_at: datetime = _ts()
    # In a release package, the document goes out with the package (when it is released), not at release_at.
    package_id: int | None = Field(default=None, foreign_key="release_packages.id", index=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = _created()
    notified_at: datetime | None = _ts(default=None)  # when the release mail went to the participants
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)  # feed


# --- proposals and feedback --------------------------------------------------------------------


class Proposal(SQLModel, table=True):
    __tablename__ = "proposals"

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    slug: str = Field(max_length=100, unique=True)
    topic: str = Field(max_length=40)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=Text)
    status: str = Field(default=ProposalStatus.draft, max_length=20)
    opens_at: datetime | None = _ts(default=None)  # comment window
    closes_at: datetime | None = _ts(default=None)
    public: bool = False
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ProposalVersion(SQLModel, table=True):
    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    number: int
    status: str = Field(default=VersionStatus.draft, max_length=20)
    published_at: datetime | None = _ts(default=None)
    publish_at: datetime | None = _ts(default=None)  # a draft scheduled to be published on its own at this moment
    # In a release package, the version is published when the package is released.
    package_id: int | None = Field(default=None, foreign_key="release_packages.id", index=True)
    change_summary: str = Field(default="", sa_type=Text)
    created_at: datetime = _created()


class Section(SQLModel, table=True):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="proposal_versions.id", index=True)
    key: str = Field(max_length=100)  # the same across versions, so threads and diffs line up
    position: int = 0
    heading: str = Field(max_length=300)
    body: str = Field(default="", sa_type=Text)  # Markdown
    body_html: str = Field(default="", sa_type=Text)  # sanitised, rendered once at publication
    kind: str = Field(default=SectionKind.text, max_length=20)
    # Who drafted it and who changed it last (SDFL or a municipality's user): drafts show who wrote what.
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    # The review dashboard lists top-level comments newest first: walked in this order, a page stops early.
    # ix_comments_feedback holds what the dashboard's counts read of every piece of feedback (migration 0022);
    # ix_comments_section_threads finds a section's threads; the two partial indexes hold only what the next
    # release would publish (app.feedback.release).
    __table_args__ = (
        Index("ix_comments_parent_id_created_at", "parent_id", "created_at"),
        Index("ix_comments_feedback", "parent_id", "official", "visibility", "deleted_at", "section_id", "author_id"),
        Index("ix_comments_section_threads", "section_id", "parent_id", "created_at"),  # a section's threads
        Index(
            "ix_comments_drafted_replies",
            "section_id",
            sqlite_where=text("official IS 1 AND deleted_at IS NULL AND release_at IS NULL"),
            postgresql_where=text("official IS true AND deleted_at IS NULL AND release_at IS NULL"),
        ),
        Index(
            "ix_comments_pending_decisions",
            "section_id",
            sqlite_where=text("status != published_status AND status_release_at IS NULL"),
            postgresql_where=text("status != published_status AND status_release_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="sections.id", index=True)
    author_id: int = Field(foreign_key="users.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="providers.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="comments.id", index=True)
    kind: str | None = Field(default=None, max_length=20)  # replies may have none
    body: str = Field(default="", sa_type=Text)  # Markdown as written
    body_html: str = Field(default="", sa_type=Text)  # sanitised rendering
    quote: str | None = Field(default=None, sa_type=Text)
    suggested_text: str | None = Field(default=None, sa_type=Text)
    suggestion_diff: str = Field(default="", sa_type=Text)  # word diff of the suggestion, made when written
    official: bool = False
    visibility: str = Field(default=Visibility.participants, max_length=20)
    # Review: ``status`` is SDFL's working decision (reviewers see it at once); participants see
    # ``published_status`` until ``status_release_at`` has passed, then ``status``. Decisions are released
    # together with the official replies, so every provider learns them at the same moment.
    status: str = Field(default=CommentStatus.nieuw, max_length=30, index=True)
    published_status: str = Field(
        default=CommentStatus.nieuw, max_length=30, sa_column_kwargs={"server_default": "nieuw"}
    )
    status_release_at: datetime | None = _ts(default=None)
    release_at: datetime | None = _ts(default=None)  # official replies are released together
    applied_in_version_id: int | None = Field(default=None, foreign_key="proposal_versions.id", index=True)
    idempotency_key: str | None = Field(default=None, max_length=100, unique=True)
    # SHA-256 of the request that used the key: a key reused for another request is refused (422).
    idempotency_fingerprint: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    edited_at: datetime | None = _ts(default=None)
    deleted_at: datetime | None = _ts(default=None)
    # The change feed (app.feedback.feed): the latest change everyone sees (None: created_at), the release moment
    # of the latest official reply, the reviewers' latest working change and SDFL's latest drafted-reply change.
    updated_at: datetime | None = _ts(default=None)
    reply_release_at: datetime | None = _ts(default=None)
    reviewed_at: datetime | None = _ts(default=None)
    reply_drafted_at: datetime | None = _ts(default=None)


class CommentRevision(SQLModel, table=True):
    """The text of a comment before an edit: the edit history."""

    __tablename__ = "comment_revisions"

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comments.id", index=True)
    kind: str | None = Field(default=None, max_length=20)
    body: str = Field(default="", sa_type=Text)
    quote: str | None = Field(default=None, sa_type=Text)
    suggested_text: str | None = Field(default=None, sa_type=Text)
    edited_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = _created()


class ProposalVisit(SQLModel, table=True):
    """When a user last opened a proposal: what is newer is marked "nieuw sinds uw laatste bezoek"."""

    __tablename__ = "proposal_visits"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    proposal_id: int = Field(foreign_key="proposals.id", primary_key=True, index=True, ondelete="CASCADE")
    seen_at: datetime = _ts()


class InternalNote(SQLModel, table=True):
    """A reviewer's note on a comment: SDFL and the municipalities read it, providers never do. Kept apart
    from ``comments`` so that no query for participants' comments can ever include one."""

    __tablename__ = "internal_notes"

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comments.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    body: str = Field(sa_type=Text)
    created_at: datetime = _created()


class Position(SQLModel, table=True):
    """A municipality's stance on a comment; seen by reviewers only."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("comment_id", "municipality_id"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comments.id", index=True)
    municipality_id: int = Field(foreign_key="municipalities.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    stance: str = Field(max_length=20)
    note: str = Field(default="", sa_type=Text)
    created_at: datetime = _created()
    updated_at: datetime = _created()


# --- accounts, audit, mail ---------------------------------------------------------------------


# --- questions, notas van inlichtingen, release packages and sign-off ------------------------------


class ReleasePackage(SQLModel, table=True):
    """What goes out to every participant of a trajectory at one moment (by default a week before a session):
    documents, proposal versions and a nota. Until it is released nothing in it is visible to anyone but SDFL
    and the municipalities' reviewers; the release sets ``released_at`` (the scheduled moment) once."""

    __tablename__ = "release_packages"

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="dialogue_sessions.id", index=True)
    title: str = Field(max_length=200)
    release_at: datetime = _ts()
    status: str = Field(default=ReleaseStatus.draft, max_length=20, index=True)
    released_at: datetime | None = _ts(default=None)
    blocked_reason: str = Field(default="", sa_type=Text)  # why its moment passed without a release
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Nota(SQLModel, table=True):
    """A nota van inlichtingen: numbered questions and answers released to every participant at one moment,
    on its own or in a release package. Released, it never changes; a correction is a later nota (``corrects_id``)."""

    __tablename__ = "notas"
    __table_args__ = (UniqueConstraint("dialogue_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    number: int  # per trajectory, from 1
    title: str = Field(max_length=200)
    intro: str = Field(default="", sa_type=Text)  # Markdown
    status: str = Field(default=ReleaseStatus.draft, max_length=20, index=True)
    release_at: datetime | None = _ts(default=None)  # scheduled on its own
    released_at: datetime | None = _ts(default=None)
    blocked_reason: str = Field(default="", sa_type=Text)  # why its moment passed without a release
    corrects_id: int | None = Field(default=None, foreign_key="notas.id")
    package_id: int | None = Field(default=None, foreign_key="release_packages.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    # Where SDFL published the nota on TenderNed (all three, or none).
    tenderned_published_on: date | None = Field(default=None, sa_type=Date)
    tenderned_reference: str | None = Field(default=None, max_length=100)
    tenderned_url: str | None = Field(default=None, max_length=500)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Question(SQLModel, table=True):
    """A participant's written question. The asker and the reviewers see it at once; everyone else only its
    neutral wording (``text``) with its answer, once the nota it is in is released, never the asker."""

    __tablename__ = "questions"

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    asker_id: int = Field(foreign_key="users.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="providers.id", index=True)  # the asker's provider
    # What it is about (optional): a session, a document, a proposal section.
    session_id: int | None = Field(default=None, foreign_key="dialogue_sessions.id", index=True)
    document_id: int | None = Field(default=None, foreign_key="documents.id", index=True)
    section_id: int | None = Field(default=None, foreign_key="sections.id", index=True)
    original_text: str = Field(sa_type=Text)  # as asked; kept, seen by the asker and the reviewers
    text: str = Field(sa_type=Text)  # the neutral, anonymised wording that is published
    text_edited_by_id: int | None = Field(default=None, foreign_key="users.id")
    answer: str = Field(default="", sa_type=Text)  # Markdown
    answer_html: str = Field(default="", sa_type=Text)  # sanitised rendering
    answer_by_id: int | None = Field(default=None, foreign_key="users.id")  # who drafted the answer last
    status: str = Field(default=QuestionStatus.open, max_length=20, index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="questions.id")
    nota_id: int | None = Field(default=None, foreign_key="notas.id", index=True)
    number: int | None = None  # its number in the nota
    created_at: datetime = _created()
    updated_at: datetime = _created()


class SignoffMunicipality(SQLModel, table=True):
    """A municipality that must approve a trajectory's releases (when ``Dialogue.signoff_chosen``)."""

    __tablename__ = "signoff_municipalities"

    dialogue_id: int = Field(foreign_key="dialogues.id", primary_key=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipalities.id", primary_key=True)


class Approval(SQLModel, table=True):
    """A municipality's decision on what is about to be released, for the content it saw (``digest``): any
    change to that content afterwards makes the decision count no longer. The newest row per municipality counts."""

    __tablename__ = "approvals"
    __table_args__ = (Index("ix_approvals_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=20)  # SignoffSubject
    subject_id: int  # the nota's or package's id; for replies the trajectory's
    municipality_id: int = Field(foreign_key="municipalities.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    decision: str = Field(max_length=20)  # SignoffDecision
    note: str = Field(default="", sa_type=Text)
    digest: str = Field(max_length=64)
    created_at: datetime = _created()


class SignoffOverride(SQLModel, table=True):
    """An admin's decision to release without every approval, with the written reason (for that content)."""

    __tablename__ = "signoff_overrides"
    __table_args__ = (Index("ix_signoff_overrides_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=20)
    subject_id: int
    user_id: int = Field(foreign_key="users.id")
    reason: str = Field(sa_type=Text)
    digest: str = Field(max_length=64)
    created_at: datetime = _created()


class SitePage(SQLModel, table=True):
    """An admin's text (Markdown) for one of the statements (accessibility, privacy, contact) in one language.
    Without a row the page shows the text shipped with Dialoog; "reset to default" deletes the row."""

    __tablename__ = "site_pages"
    __table_args__ = (UniqueConstraint("slug", "locale"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40)
    locale: str = Field(max_length=10)
    body: str = Field(sa_type=Text)  # Markdown with {placeholders} for the installation's details
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = _created()


class ArchiveExport(SQLModel, table=True):
    """A Woo archive of a trajectory asked for on its administration page (app.archive): built at once when the
    trajectory is small, else by the scheduler, which keeps ``progress`` (0-100) and ``step`` up to date. The ZIP is
    kept in the data directory (``storage_path``, app.kit.storage)."""

    __tablename__ = "archive_exports"

    id: int | None = Field(default=None, primary_key=True)
    dialogue_id: int = Field(foreign_key="dialogues.id", index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="users.id")
    personal_data: bool = True  # False: --without-personal-data
    status: str = Field(default=ArchiveStatus.queued, max_length=20, index=True)
    progress: int = 0
    step: str = Field(default="", max_length=100)
    storage_path: str = Field(default="", max_length=500)
    size: int = 0
    sha256: str = Field(default="", max_length=64)
    exported_at: datetime | None = _ts(default=None)  # the export time inside the archive
    error: str = Field(default="", sa_type=Text)
    created_at: datetime = _created()
    started_at: datetime | None = _ts(default=None)
    finished_at: datetime | None = _ts(default=None)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=20, unique=True)  # shown to tell keys apart; not secret
    key_hash: str = Field(max_length=128)
    user_id: int = Field(foreign_key="users.id", index=True)
    scope: str = Field(default=ApiScope.read, max_length=10)
    created_at: datetime = _created()
    last_used_at: datetime | None = _ts(default=None)
    revoked_at: datetime | None = _ts(default=None)


class AuditEvent(SQLModel, table=True):
    """Append-only record of every change. Nothing updates or deletes these rows."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    actor_label: str = Field(default="", max_length=320)  # e-mail or "system", kept as it was
    action: str = Field(max_length=60, index=True)
    entity_type: str = Field(max_length=60)
    entity_id: str = Field(default="", max_length=60)
    summary: str = Field(default="", sa_type=Text)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    ip: str | None = Field(default=None, max_length=64)


class OutboxMessage(SQLModel, table=True):
    """Mail written in the same transaction as its cause, sent later by the worker."""

    __tablename__ = "outbox_messages"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    # [{"filename": ..., "content_type": ..., "content": <base64>}]
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Extra headers ({"List-Unsubscribe": ...} on mail to a trajectory's followers); None: none.
    headers: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default=OutboxStatus.pending, max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = _created()
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _created()
    sent_at: datetime | None = _ts(default=None)
    # A worker claims a row (status "sending") before it talks to SMTP; the claim expires at this moment,
    # so a worker that crashed mid-send does not strand the row.
    claimed_until: datetime | None = _ts(default=None)


class TokenPurpose(StrEnum):
    invite = "invite"
    reset = "reset"


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = _created()
    last_seen_at: datetime = _created()
    expires_at: datetime = _ts()
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class UserToken(SQLModel, table=True):
    """A one-time link by mail: set a password after an invitation, or reset it."""

    __tablename__ = "user_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    purpose: str = Field(max_length=20)
    created_at: datetime = _created()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(default=None)


class LoginAttempt(SQLModel, table=True):
    """Sign-in attempts, for brute-force protection per address and per client."""

    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    email: str = Field(max_length=320, index=True)
    ip: str = Field(default="", max_length=64, index=True)
    success: bool = False


class RateLimitHit(SQLModel, table=True):
    """One counted action (a sign-in failure, a reset request, a comment) for a limit per window: the database
    counts, so every process and replica shares the same budget."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_bucket_key_at", "bucket", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=40)
    key: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)


class ChangeCounter(SQLModel, table=True):
    """A counter moved on by every change of what a shared cache shows, in the change's own transaction: each
    process compares it with the value its cached entries were rendered at (app/proposals/page_cache.py), so a
    change made through one process or replica is seen through all of them on the next request."""

    __tablename__ = "change_counters"

    name: str = Field(primary_key=True, max_length=40)
    value: int = Field(default=0, sa_type=BigInteger, nullable=False)


# --- notifications -----------------------------------------------------------------------------


class NotificationStatus(StrEnum):
    pending = "pending"  # its moment has not come (a release at a later moment), or not handled yet
    sent = "sent"  # queued in the outbox as a mail of its own
    digest = "digest"  # waits for the user's next daily digest
    digested = "digested"  # went out in a digest
    skipped = "skipped"  # the user switched this kind off


class NotificationPreference(SQLModel, table=True):
    """How a user wants to hear of one kind of notification: at once, in the daily digest, or not at all."""

    __tablename__ = "notification_preferences"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(max_length=40, primary_key=True)
    mode: str = Field(max_length=20)
    updated_at: datetime = _created()


class NotificationDigest(SQLModel, table=True):
    """One user's daily digest of one (local) day: unique, so two workers never send a user two digests."""

    __tablename__ = "notification_digests"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    day: str = Field(max_length=10)  # ISO date in Europe/Amsterdam
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_messages.id")
    created_at: datetime = _created()


class Notification(SQLModel, table=True):
    """Something a user is told of, once: unique per (user, kind, key), so a second worker, a second admin or a
    restart inserts nothing and sends nothing. The texts are in the user's language, written when it was made."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "key"),
        Index("ix_notifications_status_due_at", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=40)
    key: str = Field(max_length=200)  # what it is about (e.g. "nota:12"): the same subject is never told twice
    dialogue_id: int | None = Field(default=None, foreign_key="dialogues.id", index=True)
    title: str = Field(max_length=300)  # one line, the subject of its own mail and a line of the digest
    # {"lines": [...], "path": "/...", "template": ..., "context": {...}, "attachments": [...]} (see app.notifications)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=NotificationStatus.pending, max_length=20)
    due_at: datetime = _ts()
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_messages.id")
    digest_id: int | None = Field(default=None, foreign_key="notification_digests.id", index=True)
    created_at: datetime = _created()
    handled_at: datetime | None = _ts(default=None)


# --- the event log and webhooks (issue 20) ------------------------------------------------------


class EventAudience(StrEnum):
    """Who may read an event (app.events.service.readable): everyone, the trajectory's participants, reviewers."""

    public = "public"
    participants = "participants"
    reviewers = "reviewers"


class Event(SQLModel, table=True):
    """Something that happened, as integrators read it (``GET /api/v1/events``, webhooks): append-only, written in
    the transaction of its cause. Readers see it from ``visible_at`` (now, or a release moment); ``data`` is thin
    (ids), never drafted content. ``dispatched_at``: when the webhook dispatcher made its deliveries."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_visible_at_id", "visible_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=60, index=True)
    created_at: datetime = _created()
    visible_at: datetime = _ts()
    dialogue_id: int | None = Field(default=None, foreign_key="dialogues.id", index=True)
    audience: str = Field(default=EventAudience.participants, max_length=20)
    subject_type: str = Field(max_length=40)
    subject_id: int
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dispatched_at: datetime | None = _ts(default=None, index=True)


class WebhookDeliveryStatus(StrEnum):
    pending = "pending"  # waits for its (next) attempt at next_attempt_at
    sending = "sending"  # claimed by a worker (until claimed_until)
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # given up after WEBHOOK_RETRY_WINDOW, or its webhook was disabled or deleted


class Webhook(SQLModel, table=True):
    """A receiver of events: its owner (an admin or a municipality's user) gets the events it may read."""

    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str = Field(default="", max_length=300)
    active: bool = True
    secret_encrypted: str = Field(sa_type=Text)  # app.webhooks.secrets: Fernet, key derived from the secret key
    secret_prefix: str = Field(max_length=20)  # shown to tell secrets apart; not secret
    disabled_reason: str = Field(default="", max_length=300)
    last_success_at: datetime | None = _ts(default=None)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class WebhookDelivery(SQLModel, table=True):
    """One event to one webhook, with its attempts (``attempt_log``: [{"at", "status_code", "error"}])."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhooks.id", index=True, ondelete="CASCADE")
    event_id: int = Field(foreign_key="events.id", index=True)
    redelivery_of_id: int | None = Field(default=None, foreign_key="webhook_deliveries.id")
    status: str = Field(default=WebhookDeliveryStatus.pending, max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = _created()
    claimed_until: datetime | None = _ts(default=None)
    first_attempt_at: datetime | None = _ts(default=None)
    last_attempt_at: datetime | None = _ts(default=None)
    last_status_code: int | None = None
    last_error: str = Field(default="", sa_type=Text)
    attempt_log: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    delivered_at: datetime | None = _ts(default=None)
    created_at: datetime = _created()

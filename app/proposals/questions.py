"""Who answered the questions of a version (admins): per question, the participating providers that did and
those that did not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.dialogues.participants import accepted_providers
from app.feedback.answers import QuestionAnswers, question_answers
from app.models import Proposal, ProposalVersion
from app.proposals.manage import all_versions, get_proposal
from app.proposals.reading import pick_version


@dataclass
class AnswersPage:
    proposal: Proposal
    version: ProposalVersion
    versions: list[ProposalVersion]
    questions: list[QuestionAnswers]


def answers_page(session: Session, proposal_id: int, number: int | None) -> AnswersPage:
    """Version ``number`` (the current one by default) of a proposal with who answered its questions."""
    proposal = get_proposal(session, proposal_id)
    versions = all_versions(session, proposal)
    chosen = pick_version(versions, number)
    providers = accepted_providers(session, proposal.dialogue_id)  # those taking part in its own trajectory
    return AnswersPage(
        proposal=proposal, version=chosen, versions=versions, questions=question_answers(session, chosen, providers)
    )

"""The verification workflow as two small state machines: one per KPI of a period, one per period.

Per KPI (Verification Manual's YES/NO with the "KPI questions" log): draft -> submitted -> accepted,
or submitted -> queried -> answered -> accepted | rejected, a thread may go back and forth
(answered -> queried) before the verifier decides. Per period: draft -> submitted ->
under verification -> verified -> published. A transition names the `Action` it needs, so the
permission check and the state check are one table lookup each.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from citykpi.platform.roles import Action


class ReviewState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    QUERIED = "queried"
    ANSWERED = "answered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class PeriodState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_VERIFICATION = "under_verification"
    VERIFIED = "verified"
    PUBLISHED = "published"


class ReviewAction(StrEnum):
    QUERY = "query"
    ANSWER = "answer"
    ACCEPT = "accept"
    REJECT = "reject"


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str
    needs: Action
    needs_message: bool = False
    # For a KPI review: the period states it may be taken in (the verifier decides once verification started)
    during: frozenset[str] = frozenset()
    # The audit log's name for it: a kebab-case verb, which notifications are built from
    audit: str = ""


_DECIDED_FROM = frozenset({ReviewState.SUBMITTED, ReviewState.ANSWERED})
_VERIFYING = frozenset({PeriodState.UNDER_VERIFICATION})
_IN_REVIEW = frozenset({PeriodState.SUBMITTED, PeriodState.UNDER_VERIFICATION})

REVIEW_STEPS: dict[ReviewAction, Step] = {
    ReviewAction.QUERY: Step(_DECIDED_FROM, ReviewState.QUERIED, Action.VERIFY, True, _VERIFYING, "raise-query"),
    ReviewAction.ANSWER: Step(
        frozenset({ReviewState.QUERIED}), ReviewState.ANSWERED, Action.EDIT, True, _IN_REVIEW, "answer-query"
    ),
    ReviewAction.ACCEPT: Step(_DECIDED_FROM, ReviewState.ACCEPTED, Action.VERIFY, False, _VERIFYING, "accept-kpi"),
    ReviewAction.REJECT: Step(_DECIDED_FROM, ReviewState.REJECTED, Action.VERIFY, True, _VERIFYING, "reject-kpi"),
}

PERIOD_STEPS: dict[PeriodState, Step] = {
    PeriodState.SUBMITTED: Step(
        frozenset({PeriodState.DRAFT}), PeriodState.SUBMITTED, Action.EDIT, audit="submit-period"
    ),
    PeriodState.UNDER_VERIFICATION: Step(
        frozenset({PeriodState.SUBMITTED}), PeriodState.UNDER_VERIFICATION, Action.VERIFY, audit="start-verification"
    ),
    PeriodState.VERIFIED: Step(
        frozenset({PeriodState.UNDER_VERIFICATION}), PeriodState.VERIFIED, Action.VERIFY, audit="mark-verified"
    ),
    PeriodState.PUBLISHED: Step(
        frozenset({PeriodState.VERIFIED}), PeriodState.PUBLISHED, Action.MANAGE, audit="publish-period"
    ),
}
# Before issue 13 every period step was audited as "transition" (with the new status); rows keep that name.
OLD_PERIOD_AUDIT = "transition"

# Reviews a verifier still has to decide; a period cannot be declared verified while any is left.
OPEN_REVIEWS = frozenset({ReviewState.SUBMITTED, ReviewState.QUERIED, ReviewState.ANSWERED})

# Reviews on which a question sits in which the questioned KPI's values may still be changed.
FIXABLE_REVIEWS = frozenset({ReviewState.DRAFT, ReviewState.QUERIED})


class WorkflowError(ValueError):
    """A transition that the current state does not allow; the message says which states would.

    Like a diagnostic it keeps the values of its English message (`params`) and which message it is
    (`variant`), so that the conflict it becomes can be shown in the reader's language.
    """

    def __init__(self, variant: str, template: str, **params: str | int) -> None:
        super().__init__(template.format(**params))
        self.message = template.format(**params)
        self.variant = variant
        self.params = params


def review_step(action: ReviewAction, state: str, message: str, period_state: str) -> Step:
    step = REVIEW_STEPS[action]
    if period_state not in step.during:
        allowed = ", ".join(sorted(step.during))
        template = "cannot {action} a KPI while the period is {status}; only when it is {allowed}"
        raise WorkflowError("review-period", template, action=action.value, status=period_state, allowed=allowed)
    if state not in step.sources:
        allowed = ", ".join(sorted(step.sources))
        template = "cannot {action} a KPI that is {state}; only when {allowed}"
        raise WorkflowError("review-state", template, action=action.value, state=state, allowed=allowed)
    if step.needs_message and not message.strip():
        raise WorkflowError("review-message", "'{action}' needs a message explaining it", action=action.value)
    return step


def review_actions(state: str, period_state: str) -> list[ReviewAction]:
    """The actions a KPI review in `state` allows while its period is in `period_state` (whoever may take them)."""
    return [a for a, step in REVIEW_STEPS.items() if state in step.sources and period_state in step.during]


def next_states(state: str) -> list[PeriodState]:
    """The states a period in `state` may move to (none once published: a period never goes back)."""
    return [target for target, step in PERIOD_STEPS.items() if state in step.sources]


def period_step(target: PeriodState, state: str, open_reviews: int) -> Step:
    step = PERIOD_STEPS.get(target)
    if step is None:
        allowed = ", ".join(next_states(state)) or "none"
        template = "a period never moves to {target}; from {state} it may move to: {allowed}"
        raise WorkflowError("period-target", template, state=state, target=target.value, allowed=allowed)
    if state not in step.sources:
        allowed = ", ".join(sorted(step.sources))
        template = "cannot move a period from {state} to {target}; only from {allowed}"
        raise WorkflowError("period-state", template, state=state, target=target.value, allowed=allowed)
    if target is PeriodState.VERIFIED and open_reviews:
        template = "{open} KPI(s) are still submitted, queried or answered: decide them first"
        raise WorkflowError("open-reviews", template, open=open_reviews)
    return step


def value_editable(period_state: str, review_state: str | None) -> bool:
    """Values change while the period is a draft, or later on a KPI the verifier has queried."""
    if period_state == PeriodState.DRAFT:
        return review_state in (None, *FIXABLE_REVIEWS)
    if period_state in (PeriodState.SUBMITTED, PeriodState.UNDER_VERIFICATION):
        return review_state == ReviewState.QUERIED
    return False

"""What a platform knows of a period's verification and a workbook does not: who decided, when, and the queries.

Only the platform builds it (`platform.reports`, from its reviews, their message threads and the
audit log); a report made from a workbook has none and says that its verification status is the
workbook's column, so no report claims a verifier or a date it does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Post:
    at: datetime  # UTC
    author: str  # display name
    action: str  # query, answer, accept, reject (workflow.ReviewAction)
    text: str


@dataclass(frozen=True)
class Thread:
    """The posts on one KPI, oldest first, and the review's state now."""

    kpi: str
    state: str
    posts: list[Post]


@dataclass(frozen=True)
class VerificationRecord:
    verifiers: list[str]  # who accepted or rejected at least one KPI
    verified_by: str  # who declared the period verified ("" if nobody yet)
    verified_at: datetime | None
    threads: list[Thread]  # KPIs with at least one post

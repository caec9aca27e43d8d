"""The relational schema of the platform.

Tables mirror the shared pydantic models (`Submission`, `Entry`, `KpiResult`) instead of storing them
as opaque documents, because the API filters, paginates and audits individual values. Every mutable
row carries a `version` counter: writers state the version they read, and a stale one is refused
(optimistic concurrency) instead of silently overwriting a colleague's change. The audit log is the
only history: it is append-only (database triggers refuse UPDATE and DELETE, see the migration).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, written and read back in UTC with its zone, on either database.

    PostgreSQL returns `timestamptz` in the session's time zone (the server's local time unless set)
    and SQLite returns what was written, without a zone, so the same row read as different clocks
    depending on the database. The DDL is that of `DateTime(timezone=True)`: no migration.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _in_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _in_utc(value)


def _in_utc(moment: datetime) -> datetime:
    # A moment without a zone is UTC: it was written by this code (utcnow) or by SQLite as stored.
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# Python None is SQL NULL in a JSON column, never the JSON text 'null': one meaning for "nothing", so a
# row written by the platform, restored from a backup or inserted by hand reads and compares the same.
NULLABLE_JSON = JSON(none_as_null=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: NULLABLE_JSON, list[Any]: NULLABLE_JSON}


class Framework(Base):
    __tablename__ = "frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    # Deferred: a period loads its framework row on every request, the large document only on a cache miss.
    document: Mapped[dict[str, Any]] = mapped_column(
        deferred=True, comment="The framework file as loaded, for reproducibility"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("key", "version"),)


class Hub(Base):
    """A country hub: it groups cities, and its managers reach them. Cities name it by `key` (City.hub)."""

    __tablename__ = "hubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class City(Base):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100), default="")
    population: Mapped[float | None] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)
    hub: Mapped[str] = mapped_column(String(100), default="", index=True)
    peer_group: Mapped[str] = mapped_column(String(40), default="", index=True)
    latitude: Mapped[float | None] = mapped_column(Float, comment="WGS 84 degrees, for maps")
    longitude: Mapped[float | None] = mapped_column(Float, comment="WGS 84 degrees, for maps")
    version: Mapped[int] = mapped_column(Integer, default=1)

    periods: Mapped[list[Period]] = relationship(back_populates="city", order_by="Period.year")


class Period(Base):
    """One assessment of one city for one year against one framework version."""

    __tablename__ = "periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    status: Mapped[str] = mapped_column(String(30), default="draft")
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict, comment="CityProfile of the submission")
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completion: Mapped[dict[str, Any] | None] = mapped_column(
        NULLABLE_JSON, comment="Completion figures, refreshed when results or reviews change (derived, not audited)"
    )
    revision: Mapped[int] = mapped_column(
        Integer,
        server_default="0",
        comment="Committed transactions that audited a change of the period; caches of its pages key on it",
    )
    scored_with: Mapped[str | None] = mapped_column(
        String(64), comment="Fingerprint of the targets and rules its stored scores were computed with; NULL: none"
    )

    city: Mapped[City] = relationship(back_populates="periods")
    framework: Mapped[Framework] = relationship()

    __table_args__ = (UniqueConstraint("city_id", "year"),)


class Entry(Base):
    """A reported input component or directly reported KPI data point (collect.model.Entry)."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    kpi: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    value_num: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="not reported")
    quality: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    changed_through: Mapped[str | None] = mapped_column(
        String(10), comment="How the last change came: 'import' (a file) or 'edit' (form, script); NULL before 0007"
    )
    location: Mapped[dict[str, Any] | None] = mapped_column(
        comment="Where the stored value was last written: a workbook's sheet and cell, a CSV row, or the web form"
    )

    __table_args__ = (UniqueConstraint("period_id", "kpi", "kind", "name"),)


class ValueWarning(Base):
    """A warning the checks gave for a period's uploaded file, kept with the values for the verifier.

    The warnings of a period are those of its last imported file; the city's explanation of one is
    carried over to the next import that gives the same warning at the same place (`place`).
    """

    __tablename__ = "value_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    kpi: Mapped[str | None] = mapped_column(String(40), comment="NULL: a warning about the whole file")
    place: Mapped[str] = mapped_column(String(300), comment="Diagnostic key and location: what makes it the same")
    diagnostic: Mapped[dict[str, Any]] = mapped_column(comment="The Diagnostic as JSON (type, message, location)")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    explained_by: Mapped[str] = mapped_column(String(100), default="")
    explained_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Result(Base):
    """An assessed KPI data point (assess.model.KpiResult); derived, so recomputed rather than audited."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    data_point: Mapped[str] = mapped_column(String(100))
    dimension: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    value: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(String(200))
    quality: Mapped[int | None] = mapped_column(Integer, comment="The record's data quality, read without its JSON")
    source: Mapped[str] = mapped_column(Text, default="", server_default="", comment="The record's source, likewise")
    record: Mapped[dict[str, Any]] = mapped_column(comment="The full KpiResult")
    # Its score against the public reference targets (`citykpi.platform.scores`), written with it.
    standing: Mapped[str | None] = mapped_column(String(20), comment="scored, not reported, no benchmark, ...")
    benchmarked: Mapped[bool | None] = mapped_column(Boolean, comment="A usable target applies")
    percent: Mapped[float | None] = mapped_column(Float, comment="Percent of the target reached")
    band: Mapped[int | None] = mapped_column(Integer, comment="Points, 1-4; NULL when not scored")

    # A KPI page's charts read one data point of every city of a peer group (web.charts); through the
    # unique key SQLite sought each period's row and then read it from the table for its value, about
    # three times the work of one range of this index that holds the value (migration 0012).
    __table_args__ = (
        UniqueConstraint("period_id", "code", "data_point"),
        Index("ix_results_point_value", "code", "data_point", "period_id", "value"),
    )


class Score(Base):
    """The score of a period's group of data points (the city, a dimension, sub-dimension or category)
    against the public reference targets, with what it covers; derived from the results and written
    in the same transaction (`citykpi.platform.scores`), so pages read it instead of scoring."""

    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, comment="Order in the scorecard: the city first")
    level: Mapped[str] = mapped_column(String(20), comment="city, dimension, subdimension or category")
    dimension: Mapped[str] = mapped_column(String(100), default="")
    subdimension: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    items: Mapped[int] = mapped_column(Integer, comment="Data points of the framework in the group")
    reported: Mapped[int] = mapped_column(Integer)
    scored: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    band: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("period_id", "position"),)


class OpenDataFile(Base):
    """A file of the bulk open-data download, built when what is published changes (`platform.open_data`).

    Derived from the published periods, so it is not in backups; a missing or stale one is rebuilt.
    """

    __tablename__ = "open_data_files"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(200), comment="What it was built from: published stamp and licence")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Review(Base):
    """The verification state of one KPI in one period, with the screening findings shown beside it."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    kpi: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    screening: Mapped[list[Any]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)

    messages: Mapped[list[Message]] = relationship(order_by="Message.id")

    __table_args__ = (UniqueConstraint("period_id", "kpi"),)


class ScreeningOverride(Base):
    """A hub's own threshold for one screening rule of `platform/data/screening-rules.yaml`; audited."""

    __tablename__ = "screening_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (UniqueConstraint("hub", "rule"),)


class Message(Base):
    """One post of a KPI's question thread (the U4SSC "KPI questions" log)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Target(Base):
    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    kpi: Mapped[str] = mapped_column(String(40))
    data_point: Mapped[str] = mapped_column(String(100), default="value")
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("city_id", "kpi", "data_point", "year"),)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    scopes: Mapped[list[Scope]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class Scope(Base):
    """What a scoped role reaches: a hub (hub manager) or a city (city editor, verifier)."""

    __tablename__ = "scopes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    hub: Mapped[str | None] = mapped_column(String(100))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))


class Credential(Base):
    """A bearer secret: an API token for scripts or a browser session. Only its SHA-256 is kept."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100), default="")
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Invitation(Base):
    """A one-time link that lets a new user set their password. Only the SHA-256 of its secret is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="", comment="Where the notifications helper sends it")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SignInAttempt(Base):
    """Failed sign-ins, kept in the database so the rate limit holds across workers and restarts."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class Audit(Base):
    """Append-only: who changed what, when, from which old value to which new one, and why."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    period_id: Mapped[int | None] = mapped_column(Integer, index=True)
    old: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    reason: Mapped[str] = mapped_column(Text, default="")


class DataRevision(Base):
    """One row counting the committed transactions that changed anything audited.

    Caches of rendered responses key on it. The newest audit id is not enough on PostgreSQL: ids are
    handed out when rows are inserted, not when transactions commit, so a transaction that commits
    after a later id would leave caches stale. The counter is bumped just before commit while the row
    is locked, so its order is the commit order. Not data: backups leave it out.
    """

    __tablename__ = "data_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class Notification(Base):
    """One line of a user's inbox: an audited event (query, answer, state change...) that concerns them.

    Written by `citykpi.store.inbox` in the transaction of the audit row it comes from. The wording is
    the kind's (`store/data/notifications.yaml`) filled with `params` when shown, so a page in French
    and an e-mail in English say the same event.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    period_id: Mapped[int | None] = mapped_column(Integer)
    city_id: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict, comment="Values the kind's sentence names")
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    # The navigation's unread count on every page is one read of this index.
    __table_args__ = (Index("ix_notifications_unread", "user_id", "read_at"),)


class NotificationPreference(Base):
    """What a user wants to receive of one kind; a kind without a row has the defaults of its rule."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("user_id", "kind"),)


class MailAddress(Base):
    """Where a user's notification e-mails go; no row, no e-mail."""

    __tablename__ = "mail_addresses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(254))


class OutboxItem(Base):
    """A message to send after the transaction that wanted it committed: an e-mail or a webhook call.

    Sent by `citykpi.platform.outbox` with retries; `state` is pending, sent or failed (given up).
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), comment="email or webhook")
    destination: Mapped[str] = mapped_column(String(500), comment="An e-mail address or a webhook id")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (Index("ix_outbox_due", "state", "next_at"),)


class Webhook(Base):
    """Another system told of events by a signed POST; the secret signs, so it is kept as it is."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    kinds: Mapped[list[Any]] = mapped_column(default=list, comment="Notification kinds sent; empty: every kind")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ProblemReport(Base):
    """A public visitor's "this value looks wrong" report on a city or KPI page, for the city's team.

    The reporter reads the answer at a private link; only the SHA-256 of its token is kept. The
    client is kept as a SHA-256 too: enough for the rate limit, no address stored.
    """

    __tablename__ = "problem_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    kpi: Mapped[str] = mapped_column(String(40), default="")
    body: Mapped[str] = mapped_column(Text)
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(12), default="open")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(100), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)

    city: Mapped[City] = relationship()

"""Scan history: every recorded assessment, kept in a SQL database (SQLite by default, or any
SQLAlchemy URL, e.g. PostgreSQL for a team sharing one store).

Each scan is written in one transaction, so an interrupted scan leaves no trace and never
touches earlier ones. Per-capability stages and per-rule outcomes are stored in their own
tables so that `pecm history` and `pecm diff` need not re-parse whole assessments; the full
assessment JSON is kept too, for the evidence diff. Each scan's scope (organization, sources,
configuration fingerprint, shard) is stored with it: `diff` compares scans of one scope.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final, Literal

import platformdirs
from pydantic import ValidationError
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from scanner.errors import UserError
from scanner.model import Assessment, EvidenceRef
from scanner.scope import ScanScope

log = logging.getLogger(__name__)

SCHEMA_VERSION: Final = 3
SQLITE_BUSY_TIMEOUT_MS: Final = 30_000  # a concurrent writer waits this long for the lock instead of failing
# sqlite3's own errors can escape SQLAlchemy's wrapping when raised in a connect hook (_enable_wal)
_DB_ERRORS: Final = (SQLAlchemyError, sqlite3.Error)
_PG_MIGRATION_LOCK: Final = 0x5045434D  # "PECM": serializes concurrent first opens of one database


def default_store_url() -> str:
    """An SQLite file in the user's data directory (created on first use)."""
    return f"sqlite:///{Path(platformdirs.user_data_dir('pecm')) / 'history.sqlite3'}"


class _UtcDateTime(TypeDecorator[datetime]):
    """Timestamps in UTC on every backend: SQLite would otherwise drop the offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


_metadata = MetaData()

_schema_version = Table(
    "schema_version",
    _metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", _UtcDateTime, nullable=False),
)

_scans = Table(
    "scans",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", _UtcDateTime, nullable=False),
    Column("finished_at", _UtcDateTime, nullable=False),
    Column("pecm_version", String(64), nullable=False),
    Column("sources", Text, nullable=False),  # "collector:status, …"
    Column("assessment", Text, nullable=False),  # the full assessment JSON
    # The scope (schema version 3); NULL in scans recorded before, or without a known scope.
    Column("scope_key", String(64)),
    Column("organization", String(255)),
    Column("scope_sources", Text),  # JSON list: "local:/srv/repos", "github:acme"
    Column("config_fingerprint", String(64)),
    Column("shard", String(32)),
    sqlite_autoincrement=True,  # ids are never reused, so a scan id in a report stays unambiguous
)

_capability_stages = Table(
    "capability_stages",
    _metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("capability", String(32), primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("ceiling", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
)

_rule_outcomes = Table(
    "rule_outcomes",
    _metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_id", String(255), primary_key=True),
    Column("outcome", String(16), nullable=False),
    Column("explanation", Text, nullable=False),
)


# --- migrations ----------------------------------------------------------------------------
# Append only: a store at version N gets every step after N, in order, in one transaction.


def _create_tables(conn: Connection) -> None:
    _metadata.create_all(conn, tables=[_scans, _capability_stages, _rule_outcomes])


def _index_scans_by_start(conn: Connection) -> None:
    # history, trends and "latest" order scans by when they started
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_scans_started_at ON scans (started_at, id)"))


_SCOPE_COLUMNS: Final = ("scope_key", "organization", "scope_sources", "config_fingerprint", "shard")


def _record_scopes(conn: Connection) -> None:
    # A store created at this version already has the columns (step 1 creates today's tables).
    present = {column["name"] for column in inspect(conn).get_columns("scans")}
    for name in _SCOPE_COLUMNS:
        if name not in present:
            kind = _scans.c[name].type.compile(dialect=conn.dialect)
            conn.execute(text(f"ALTER TABLE scans ADD COLUMN {name} {kind}"))
    # `diff` looks up the scans of one scope, newest first
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_scans_scope ON scans (scope_key, started_at, id)"))


MIGRATIONS: Final[tuple[tuple[int, Callable[[Connection], None]], ...]] = (
    (1, _create_tables),
    (2, _index_scans_by_start),
    (3, _record_scopes),
)


# --- what the store returns ------------------------------------------------------------------


@dataclass(frozen=True)
class ScanSummary:
    id: int
    started_at: datetime
    finished_at: datetime
    pecm_version: str
    sources: str
    stages: dict[str, str]  # capability -> stage
    scope: ScanScope | None  # None: recorded before history kept scopes (schema 3), or without one

    def scope_line(self) -> str:
        return self.scope.describe() if self.scope is not None else "scope not recorded"


@dataclass(frozen=True)
class RecordedScan:
    summary: ScanSummary
    assessment: Assessment


@dataclass(frozen=True)
class StageChange:
    capability: str
    old_stage: str | None  # None: the capability was not assessed in that scan
    new_stage: str | None
    old_ceiling: str | None
    new_ceiling: str | None


@dataclass(frozen=True)
class OutcomeChange:
    rule_id: str
    old_outcome: str | None  # None: the rule was not evaluated in that scan
    new_outcome: str | None
    new_explanation: str | None


@dataclass(frozen=True)
class RoledRef:
    """An evidence reference with the part it plays in its rule's verdict."""

    role: Literal["supporting", "opposing", "missing"]
    ref: EvidenceRef


@dataclass(frozen=True)
class EvidenceChange:
    rule_id: str
    added: tuple[RoledRef, ...]
    removed: tuple[RoledRef, ...]


@dataclass(frozen=True)
class ScanDiff:
    old: ScanSummary
    new: ScanSummary
    stages: tuple[StageChange, ...]
    outcomes: tuple[OutcomeChange, ...]
    evidence: tuple[EvidenceChange, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.stages or self.outcomes or self.evidence)


# --- the store -------------------------------------------------------------------------------


class HistoryStore:
    """Open with a SQLAlchemy URL; the schema is created or migrated on open. Use as a context manager."""

    def __init__(self, url: str | None = None, *, create: bool = True) -> None:
        """`create=False`: a store that does not exist yet is a UserError, and is not created."""
        self.url = url or default_store_url()
        self.label = _display(self.url)
        self._engine = _open_engine(self.url, self.label, create)
        try:
            with self._write() as conn:
                _migrate(conn, self.label, create)
        except _DB_ERRORS as exc:
            self._engine.dispose()
            raise _store_error(self.label, exc) from None
        except BaseException:
            self._engine.dispose()
            raise

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction; SQLite takes the write lock up front (see `_sqlite_begin`)."""
        with self._engine.connect() as conn:
            conn = conn.execution_options(pecm_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                yield conn
        except _DB_ERRORS as exc:
            raise _store_error(self.label, exc) from None

    def record(self, assessment: Assessment, scope: ScanScope | None = None) -> int:
        """Store one assessment, all or nothing; returns its scan id. `scope` None: not known
        (an assessment read from a file); such scans are compared only with each other."""
        scan = assessment.scan
        try:
            with self._write() as conn:
                scan_id: int = conn.execute(
                    _scans.insert().values(
                        started_at=scan.started_at,
                        finished_at=scan.finished_at,
                        pecm_version=scan.pecm_version,
                        sources=", ".join(f"{run.collector}:{run.status}" for run in scan.sources),
                        assessment=assessment.model_dump_json(),
                        **_scope_values(scope),
                    ).returning(_scans.c.id)
                ).scalar_one()
                stages = [
                    {
                        "scan_id": scan_id,
                        "capability": result.capability.value,
                        "stage": result.stage.value,
                        "ceiling": result.ceiling.value,
                        "confidence": result.confidence,
                    }
                    for result in assessment.capabilities
                ]
                if stages:
                    conn.execute(_capability_stages.insert(), stages)
                outcomes = [
                    {"scan_id": scan_id, "rule_id": rule.rule_id, "outcome": rule.outcome.value, "explanation": rule.explanation}
                    for result in assessment.capabilities
                    for rule in result.rules
                ]
                if outcomes:
                    conn.execute(_rule_outcomes.insert(), outcomes)
        except _DB_ERRORS as exc:
            raise _store_error(self.label, exc) from None
        log.info("recorded scan %s in %s", scan_id, self.label)
        return scan_id

    def scans(self, limit: int | None = None, scope: ScanScope | None = None) -> list[ScanSummary]:
        """Recorded scans, newest first; with `scope`, only the scans of that scope."""
        with self._read() as conn:
            query = select(*_SUMMARY_COLUMNS)
            if scope is not None:
                query = query.where(_scans.c.scope_key == scope.key)
            rows = conn.execute(query.order_by(_scans.c.started_at.desc(), _scans.c.id.desc()).limit(limit)).all()
            stages = _stages_of(conn, [row.id for row in rows])
        return [_summary(row, stages.get(row.id, {})) for row in rows]

    def rule_outcomes(self, rule_id: str, scope: ScanScope) -> list[tuple[datetime, str | None]]:
        """One rule's outcome in each recorded scan of `scope`, newest first (None where that scan
        did not judge the rule)."""
        judged = (_rule_outcomes.c.scan_id == _scans.c.id) & (_rule_outcomes.c.rule_id == rule_id)
        query = (
            select(_scans.c.started_at, _rule_outcomes.c.outcome)
            .select_from(_scans.outerjoin(_rule_outcomes, judged))
            .where(_scans.c.scope_key == scope.key)
            .order_by(_scans.c.started_at.desc(), _scans.c.id.desc())
        )
        with self._read() as conn:
            return [(row.started_at, row.outcome) for row in conn.execute(query)]

    def get(self, ref: int | str) -> RecordedScan:
        """A scan by id, or "latest", or "latest~N" (N scans before the latest)."""
        with self._read() as conn:
            scan_id = self._resolve(conn, ref)
            row = conn.execute(select(_scans).where(_scans.c.id == scan_id)).one_or_none()
            if row is None:
                raise UserError(f"no scan {ref} in {self.label}", hint="see `pecm history`")
            stages = _stages_of(conn, [scan_id]).get(scan_id, {})
        summary = _summary(row, stages)
        try:
            assessment = Assessment.model_validate_json(row.assessment)
        except ValidationError as exc:
            raise UserError(
                f"scan {scan_id} in {self.label} cannot be read: {exc.errors()[0]['msg']}",
                hint="it was probably recorded by a newer pecm; upgrade pecm",
            ) from None
        return RecordedScan(summary, assessment)

    def trend(self, limit: int | None = None, scope: ScanScope | None = None) -> list[tuple[datetime, dict[str, str]]]:
        """The stages of the last `limit` scans (of `scope`), oldest first: what the HTML report draws."""
        return [(summary.started_at, summary.stages) for summary in reversed(self.scans(limit, scope))]

    def diff(self, old: int | str | None, new: int | str, *, across_scopes: bool = False) -> ScanDiff:
        """What changed from `old` to `new`. `old` None: the scan of the same scope before `new`.
        Scans of different scopes are refused unless `across_scopes`."""
        after = self.get(new)
        before = self.get(self._earlier_in_scope(after.summary) if old is None else old)
        if not across_scopes and _scope_key(before.summary) != _scope_key(after.summary):
            raise UserError(
                f"scan {before.summary.id} ({before.summary.scope_line()}) and scan {after.summary.id} "
                f"({after.summary.scope_line()}) have different scopes",
                hint="pass --across-scopes to compare them anyway",
            )
        with self._read() as conn:
            old_outcomes = _outcomes_of(conn, before.summary.id)
            new_outcomes = _outcomes_of(conn, after.summary.id)
        return ScanDiff(
            old=before.summary,
            new=after.summary,
            stages=_stage_changes(before.assessment, after.assessment),
            outcomes=_outcome_changes(old_outcomes, new_outcomes),
            evidence=_evidence_changes(before.assessment, after.assessment),
        )

    def _earlier_in_scope(self, scan: ScanSummary) -> int:
        """The newest scan of the same scope recorded before `scan` (by start, then id)."""
        key = _scope_key(scan)
        same = _scans.c.scope_key.is_(None) if key is None else _scans.c.scope_key == key
        before = tuple_(_scans.c.started_at, _scans.c.id) < tuple_(scan.started_at, scan.id)
        query = select(_scans.c.id).where(same, before).order_by(_scans.c.started_at.desc(), _scans.c.id.desc()).limit(1)
        with self._read() as conn:
            found = conn.execute(query).scalar_one_or_none()
        if found is None:
            raise UserError(
                f"no scan of the same scope before scan {scan.id} in {self.label} ({scan.scope_line()})",
                hint="name two scans to compare (see `pecm history`), with --across-scopes if their scopes differ",
            )
        return int(found)

    def _resolve(self, conn: Connection, ref: int | str) -> int:
        if isinstance(ref, int) or ref.isdigit():
            return int(ref)
        back = 0
        if ref != "latest":
            head, _, count = ref.partition("~")
            if head != "latest" or not count.isdigit():
                raise UserError(f"{ref!r} is not a scan id, 'latest' or 'latest~N'", hint="see `pecm history` for ids")
            back = int(count)
        query = select(_scans.c.id).order_by(_scans.c.started_at.desc(), _scans.c.id.desc()).offset(back).limit(1)
        found = conn.execute(query).scalar_one_or_none()
        if found is None:
            recorded = conn.execute(select(func.count()).select_from(_scans)).scalar_one()
            raise UserError(
                f"no scan {ref} in {self.label}: {recorded} scan(s) recorded",
                hint="record scans with `pecm scan --store`",
            )
        return int(found)


_SUMMARY_COLUMNS: Final = (
    _scans.c.id,
    _scans.c.started_at,
    _scans.c.finished_at,
    _scans.c.pecm_version,
    _scans.c.sources,
    *(_scans.c[name] for name in _SCOPE_COLUMNS),
)


def _scope_values(scope: ScanScope | None) -> dict[str, Any]:
    if scope is None:
        return {}
    return {
        "scope_key": scope.key,
        "organization": scope.organization,
        "scope_sources": json.dumps(list(scope.sources)),
        "config_fingerprint": scope.config_fingerprint,
        "shard": scope.shard,
    }


def _summary(row: Any, stages: dict[str, str]) -> ScanSummary:
    scope = None
    if row.scope_key is not None:
        scope = ScanScope(row.organization, tuple(json.loads(row.scope_sources)), row.config_fingerprint, row.shard)
    return ScanSummary(row.id, row.started_at, row.finished_at, row.pecm_version, row.sources, stages, scope)


def _scope_key(scan: ScanSummary) -> str | None:
    return scan.scope.key if scan.scope is not None else None


def _stages_of(conn: Connection, scan_ids: list[int]) -> dict[int, dict[str, str]]:
    stages: dict[int, dict[str, str]] = {}
    if not scan_ids:
        return stages
    rows = conn.execute(
        select(_capability_stages.c.scan_id, _capability_stages.c.capability, _capability_stages.c.stage).where(
            _capability_stages.c.scan_id.in_(scan_ids)
        )
    )
    for scan_id, capability, stage in rows:
        stages.setdefault(scan_id, {})[capability] = stage
    return stages


def _outcomes_of(conn: Connection, scan_id: int) -> dict[str, tuple[str, str]]:
    rows = conn.execute(
        select(_rule_outcomes.c.rule_id, _rule_outcomes.c.outcome, _rule_outcomes.c.explanation).where(
            _rule_outcomes.c.scan_id == scan_id
        )
    )
    return {rule_id: (outcome, explanation) for rule_id, outcome, explanation in rows}


def _outcome_changes(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> tuple[OutcomeChange, ...]:
    changes = []
    for rule_id in sorted(old.keys() | new.keys()):
        was, now = old.get(rule_id, (None, None)), new.get(rule_id, (None, None))
        if was[0] != now[0]:
            changes.append(OutcomeChange(rule_id, was[0], now[0], now[1]))
    return tuple(changes)


def _stage_changes(old: Assessment, new: Assessment) -> tuple[StageChange, ...]:
    before = {result.capability.value: result for result in old.capabilities}
    after = {result.capability.value: result for result in new.capabilities}
    changes = []
    for capability in [*before, *(name for name in after if name not in before)]:
        was, now = before.get(capability), after.get(capability)
        old_pair = (was.stage.value, was.ceiling.value) if was else (None, None)
        new_pair = (now.stage.value, now.ceiling.value) if now else (None, None)
        if old_pair != new_pair:
            changes.append(StageChange(capability, old_pair[0], new_pair[0], old_pair[1], new_pair[1]))
    return tuple(changes)


def _roled_refs(assessment: Assessment) -> dict[str, set[RoledRef]]:
    refs: dict[str, set[RoledRef]] = {}
    for result in assessment.capabilities:
        for rule in result.rules:
            refs[rule.rule_id] = {
                *(RoledRef("supporting", ref) for ref in rule.supporting),
                *(RoledRef("opposing", ref) for ref in rule.opposing),
                *(RoledRef("missing", ref) for ref in rule.missing),
            }
    return refs


def _ref_order(item: RoledRef) -> tuple[str, str, str, str]:
    return (item.role, item.ref.subject, item.ref.kind, item.ref.status.value)


def _evidence_changes(old: Assessment, new: Assessment) -> tuple[EvidenceChange, ...]:
    before, after = _roled_refs(old), _roled_refs(new)
    changes = []
    for rule_id in sorted(before.keys() | after.keys()):
        was, now = before.get(rule_id, set()), after.get(rule_id, set())
        if was != now:
            changes.append(
                EvidenceChange(rule_id, tuple(sorted(now - was, key=_ref_order)), tuple(sorted(was - now, key=_ref_order)))
            )
    return tuple(changes)


# --- opening and migrating -----------------------------------------------------------------


def _display(url: str) -> str:
    """The URL without its password: it appears in messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the history store"


def _open_engine(url: str, label: str, create: bool) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(
            f"history store {url!r} is not a database URL",
            hint="e.g. sqlite:////var/lib/pecm/history.sqlite3 or postgresql+psycopg://user@host/pecm",
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        database = Path(parsed.database).expanduser()
        if not create and not database.is_file():  # opening would create an empty store there
            raise UserError(
                f"history store {label}: no such database file",
                hint="check the path, or record a scan there first with `pecm scan --store URL`",
            )
        try:
            database.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"history store {label}: cannot create its folder: {exc.strerror or exc}",
                hint="check the --store URL and that the database is reachable",
            ) from None
    try:
        engine = create_engine(parsed)
    except (NoSuchModuleError, ImportError) as exc:
        hint = "install pecm[postgres]" if parsed.get_backend_name() == "postgresql" else "install the database driver"
        raise UserError(f"history store {label}: no driver ({exc})", hint=hint) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN past DDL; pecm issues BEGIN itself (_sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    _enable_wal(cursor)
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _enable_wal(cursor: Any) -> None:
    """WAL: readers never block the writer, nor it them. Two first opens converting one file at
    once can get "database is locked" without busy_timeout applying, so the loser tries again."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the lock at BEGIN, where busy_timeout makes it wait; a deferred upgrade
    # from reading to writing would fail at once instead when another writer holds the lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("pecm_write") else "BEGIN")


def _migrate(conn: Connection, label: str, create: bool) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    if not create and not inspect(conn).has_table(_schema_version.name):
        # An empty file, or a database of something else: reading must not make it a store.
        raise UserError(
            f"history store {label}: no pecm history there",
            hint="check the URL, or record a scan there first with `pecm scan --store URL`",
        )
    _schema_version.create(conn, checkfirst=True)
    current = conn.execute(select(func.max(_schema_version.c.version))).scalar() or 0
    if current > SCHEMA_VERSION:
        raise UserError(
            f"history store {label} has schema version {current}; this pecm knows up to {SCHEMA_VERSION}",
            hint="upgrade pecm",
        )
    for version, step in MIGRATIONS:
        if version > current:
            log.info("history store %s: migrating to schema version %s", label, version)
            step(conn)
            conn.execute(_schema_version.insert().values(version=version, applied_at=datetime.now(timezone.utc)))


def _store_error(label: str, exc: Exception) -> UserError:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return UserError(f"history store {label}: {detail}", hint="check the --store URL and that the database is reachable")


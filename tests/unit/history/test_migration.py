"""A store written by an older pecm is migrated on open, its scans intact; a newer one is refused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text, create_engine, inspect, select

from scanner.errors import UserError
from scanner.history import SCHEMA_VERSION, HistoryStore
from tests.unit.history.history_inputs import SCOPE, assessment

# The schema as version 1 of pecm's history store created it (no index on scans.started_at).
_v1 = MetaData()
_v1_version = Table("schema_version", _v1, Column("version", Integer, primary_key=True, autoincrement=False), Column("applied_at", DateTime(timezone=True), nullable=False))
_v1_scans = Table(
    "scans", _v1,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("pecm_version", String(64), nullable=False),
    Column("sources", Text, nullable=False),
    Column("assessment", Text, nullable=False),
    sqlite_autoincrement=True,
)
_v1_stages = Table(
    "capability_stages", _v1,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("capability", String(32), primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("ceiling", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
)
_v1_outcomes = Table(
    "rule_outcomes", _v1,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_id", String(255), primary_key=True),
    Column("outcome", String(16), nullable=False),
    Column("explanation", Text, nullable=False),
)


def _version_1_store(url: str) -> int:
    """A store at schema version 1 holding one scan; returns the scan's id."""
    old = assessment(0)
    engine = create_engine(url)
    with engine.begin() as conn:
        _v1.create_all(conn)
        conn.execute(_v1_version.insert().values(version=1, applied_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
        scan_id = conn.execute(
            _v1_scans.insert().values(
                started_at=old.scan.started_at, finished_at=old.scan.finished_at, pecm_version="0.0.9",
                sources="local:ok", assessment=old.model_dump_json(),
            ).returning(_v1_scans.c.id)
        ).scalar_one()
        conn.execute(_v1_stages.insert(), [
            {"scan_id": scan_id, "capability": r.capability.value, "stage": r.stage.value, "ceiling": r.ceiling.value, "confidence": r.confidence}
            for r in old.capabilities
        ])
        conn.execute(_v1_outcomes.insert(), [
            {"scan_id": scan_id, "rule_id": rule.rule_id, "outcome": rule.outcome.value, "explanation": rule.explanation}
            for r in old.capabilities for rule in r.rules
        ])
    engine.dispose()
    return int(scan_id)


def test_a_version_1_store_is_migrated_with_its_scans_intact(store_url: str) -> None:
    assert SCHEMA_VERSION == 3
    old_id = _version_1_store(store_url)
    with HistoryStore(store_url) as store:
        with store.engine.connect() as conn:
            versions = conn.execute(select(_v1_version.c.version).order_by(_v1_version.c.version)).scalars().all()
            indexes = {index["name"] for index in inspect(conn).get_indexes("scans")}
            columns = {column["name"] for column in inspect(conn).get_columns("scans")}
        assert versions == [1, 2, 3]
        assert {"ix_scans_started_at", "ix_scans_scope"} <= indexes
        assert {"scope_key", "organization", "scope_sources", "config_fingerprint", "shard"} <= columns
        assert store.get(old_id).assessment == assessment(0)
        assert store.get(old_id).summary.pecm_version == "0.0.9"
        assert store.get(old_id).summary.scope is None  # recorded before scopes: unknown, never guessed
        unscoped_id = store.record(assessment(7))
        scoped_id = store.record(assessment(14), SCOPE)
        assert [scan.id for scan in store.scans()] == [scoped_id, unscoped_id, old_id]
        assert store.get(scoped_id).summary.scope == SCOPE
        assert store.diff(old_id, unscoped_id).unchanged
        with pytest.raises(UserError, match="have different scopes"):
            store.diff(unscoped_id, scoped_id)
    with HistoryStore(store_url) as store:  # opening again migrates nothing more
        with store.engine.connect() as conn:
            assert conn.execute(select(_v1_version.c.version)).scalars().all() == [1, 2, 3]


def test_a_store_from_a_newer_pecm_is_refused_untouched(store_url: str) -> None:
    with HistoryStore(store_url) as store:
        scan_id = store.record(assessment(0))
        with store.engine.begin() as conn:
            conn.execute(_v1_version.insert().values(version=SCHEMA_VERSION + 1, applied_at=datetime.now(timezone.utc)))
    with pytest.raises(UserError, match=f"schema version {SCHEMA_VERSION + 1}; this pecm knows up to {SCHEMA_VERSION}"):
        HistoryStore(store_url)
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(select(_v1_scans.c.id)).scalars().all() == [scan_id]
    engine.dispose()

"""The scope history records with a scan: what was scanned, under which configuration, which shard."""

from __future__ import annotations

from pathlib import Path

from scanner.config import parse_config
from scanner.pipeline import plan_scan
from scanner.plugins import discover
from scanner.scope import ScanScope, scan_scope
from scanner.shard import Shard


def _scope(tmp_path: Path, document: dict, shard: Shard | None = None) -> ScanScope:
    return scan_scope(plan_scan(parse_config(document, "config", tmp_path), discover()), shard)


def _local(*paths: str, **more: object) -> dict:
    return {"sources": {"local": {"paths": list(paths)}}, **more}


def test_sources_name_every_target_with_relative_paths_taken_from_the_config_folder(tmp_path: Path) -> None:
    scope = _scope(tmp_path, _local("repos", "/srv/more", organization="acme") | {
        "sources": {"local": {"paths": ["repos", "/srv/more"]}, "github": {"organizations": ["acme", "acme-labs"]}}
    })
    assert scope.organization == "acme"
    assert scope.sources == (f"local:{tmp_path / 'repos'}", "local:/srv/more", "github:acme", "github:acme-labs")


def test_an_enterprise_server_organization_is_told_apart_by_its_host(tmp_path: Path) -> None:
    document = {"sources": {"github": {"organizations": ["acme"], "base_url": "https://ghe.example.com/api/v3"}}}
    assert _scope(tmp_path, document).sources == ("github:ghe.example.com/acme",)


def test_the_fingerprint_follows_what_judges_the_scan_not_where_results_go(tmp_path: Path) -> None:
    base = _scope(tmp_path, _local("repos"))
    assert _scope(tmp_path, _local("repos")) == base
    assert _scope(tmp_path, _local("repos", history={"store": "default"}, cache_dir="/tmp/c")) == base
    assert _scope(tmp_path, _local("repos") | {"sources": {"local": {"paths": ["repos"], "window_days": 90}}}) == base  # a default spelled out
    changed = _scope(tmp_path, _local("repos", rules={"params": {"shared_asset_use_share_min": 0.3}}))
    assert changed.config_fingerprint != base.config_fingerprint and changed.key != base.key


def test_each_shard_is_a_scope_of_its_own(tmp_path: Path) -> None:
    first, second = (_scope(tmp_path, _local("repos"), Shard(index, 2)) for index in (0, 1))
    assert (first.shard, second.shard) == ("1/2", "2/2")
    assert first.key != second.key
    assert first.describe() == f"sources local:{tmp_path / 'repos'}; config {first.config_fingerprint}; shard 1/2"

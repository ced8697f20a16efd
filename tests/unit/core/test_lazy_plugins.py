"""Collectors and renderers are imported when first asked for, once; a broken one is then missing."""

from __future__ import annotations

import json
from importlib.metadata import EntryPoint
from typing import Any

from scanner.plugins import LazyPlugins


def test_a_plugin_is_loaded_when_first_asked_for_once_and_a_broken_one_is_missing() -> None:
    asked: list[str] = []

    def load(name: str, entry: EntryPoint) -> Any:
        asked.append(name)
        try:
            return entry.load()
        except AttributeError:
            return None  # discover() records the problem here

    lazy = LazyPlugins(
        {"decoder": EntryPoint("decoder", "json:JSONDecoder", "g"), "broken": EntryPoint("broken", "json:Nope", "g")},
        load,
    )
    assert sorted(lazy) == ["broken", "decoder"] and len(lazy) == 2 and asked == []
    assert lazy["decoder"] is json.JSONDecoder and lazy.get("decoder") is json.JSONDecoder
    assert asked == ["decoder"]
    assert lazy.get("broken") is None and lazy.get("broken") is None
    assert asked == ["decoder", "broken"]

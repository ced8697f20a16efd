"""The configuration file: validated up front so that a typo stops the scan with one line.

Collector sections (`sources.<name>`) are validated by each collector's own config model;
secrets are never written in the file, only the names of environment variables holding them.
"""

# No `from __future__ import annotations` here: pydantic would compile every field's annotation
# from its text as each model class is made (this module's classes are made in every scan).
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from scanner.enums import Stage, parse_stage
from scanner.errors import UserError
from scanner.gate_keys import ALL, CAPABILITY_KEYS, CAPABILITY_NAMES, UnknownPolicy
from scanner.user_yaml import read_user_yaml

DEFAULT_PLATFORM_TEAM_PATTERNS = ["platform*", "*-platform", "*-platform-*"]
DEFAULT_PLATFORM_PATTERNS = ["platform*", "*-platform", "*-platform-*", "*-templates", "infra*", "shared-*"]

# Keys that would hold a secret in clear; their `_env` twin names the variable instead.
_SECRET_KEYS = {"token", "password", "secret", "private_key", "client_secret", "api_key"}
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# GitHub's tokens (ghp_…, github_pat_…) are letters, digits and _ too: known token prefixes.
_TOKEN_PREFIX = re.compile(r"gh[pousr]_|github_pat_")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GateConfig(BaseModel):
    """The config file's `gate:` section. Command-line flags override it key by key."""

    model_config = ConfigDict(extra="forbid")

    minimums: dict[str, Stage] = Field(
        default_factory=dict, description="Minimum stage per capability; the key 'all' sets every capability."
    )
    min_confidence: float | None = Field(default=None, ge=0, le=1, description="Every capability's confidence must reach it.")
    unknown: UnknownPolicy = Field(default="fail", description="'fail': unknown rules keep the gate from passing.")
    baseline: Path | None = Field(default=None, description="A saved assessment: fail if a capability dropped a stage since.")

    @field_validator("minimums", mode="before")
    @classmethod
    def _stage_numbers(cls, minimums: object) -> object:
        """1-5 as the self-assessment files accept them; anything else is left to the stage names' check."""
        if not isinstance(minimums, dict):
            return minimums
        return {key: parse_stage(value) or value for key, value in minimums.items()}

    @field_validator("minimums")
    @classmethod
    def _known_capabilities(cls, minimums: dict[str, Stage]) -> dict[str, Stage]:
        for key in minimums:
            if key not in CAPABILITY_KEYS:
                raise ValueError(f"{key!r} is no capability (one of: {ALL}, {CAPABILITY_NAMES})")
        return minimums


class PlatformConfig(_Section):
    repositories: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PLATFORM_PATTERNS),
        description="Name patterns (fnmatch) of the platform team's repositories; they are tagged 'platform'.",
    )
    teams: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PLATFORM_TEAM_PATTERNS),
        description="Name patterns (fnmatch) of the platform team: a repository whose CODEOWNERS names it is tagged 'platform'.",
    )
    internal_sources: list[str] = Field(
        default_factory=list,
        description="Where the organization's own assets live, besides its Git host: registries, OCI namespaces, "
        "module namespaces (e.g. 'registry.acme.io', 'ghcr.io/acme/*', 'app.terraform.io/acme'). References there are internal.",
    )


class LimitsConfig(_Section):
    max_file_bytes: int = Field(default=1_048_576, gt=0)
    max_files_per_repository: int = Field(default=200_000, gt=0)
    max_workers: int = Field(default=4, ge=1, le=64)


class RulesConfig(_Section):
    default_pack: bool = True
    packs: list[Path] = Field(default_factory=list, description="Additional rule packs (files or directories).")
    params: dict[str, float] = Field(default_factory=dict, description="Overrides of pack parameters.")
    disable: list[str] = Field(default_factory=list, description="Rule ids not to evaluate.")


class HistoryConfig(_Section):
    store: str | None = Field(
        default=None,
        pattern=r"^(default|[a-z][a-z0-9+]*://.*)$",
        description="Record every scan here: a SQLAlchemy URL, or 'default' for the SQLite file in the user's data directory.",
    )


class PecmConfig(_Section):
    organization: str | None = None
    sources: dict[str, dict[str, Any]] = Field(default_factory=dict)
    platform: PlatformConfig = Field(default_factory=PlatformConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    gate: GateConfig = Field(default_factory=GateConfig)
    history: HistoryConfig = Field(default_factory=HistoryConfig)
    self_assessment: Path | None = Field(
        default=None, description="Self-assessment file (docs/self-assessment.md): `pecm scan` and `pecm gaps` compare with it."
    )
    declared: dict[str, Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(
        default_factory=dict,
        description="What the organization uses where pecm cannot look (e.g. dashboards: grafana), or 'none'.",
    )
    cache_dir: Path | None = None


def evidence_fingerprint(config: PecmConfig) -> str:
    """A digest of the settings that shape the evidence: what is scanned, how platform
    repositories are named, which files are read. Shards of one scan share it; rules, gate,
    history and worker counts do not enter it, since `pecm evaluate` and `merge` redo those."""
    shaping = config.model_dump(
        mode="json",
        include={"organization": True, "sources": True, "platform": True, "limits": {"max_file_bytes", "max_files_per_repository"}},
    )
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def describe_validation_error(exc: ValidationError, where: str, key_prefix: str = "") -> str:
    """One line: the first offending key and what is wrong with it."""
    errors = exc.errors()
    first = errors[0]
    key = key_prefix + ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where} {key}: {message}{more}"


def _is_secret(key: str, value: Any) -> bool:
    return key.lower() in _SECRET_KEYS and value not in (None, "")


def _is_not_a_variable_name(key: str, value: Any) -> bool:
    """An `_env` key holding something else than a variable's name: most likely the secret itself."""
    if not (key.lower().endswith("_env") and isinstance(value, str)):
        return False
    return _VARIABLE_NAME.fullmatch(value) is None or _TOKEN_PREFIX.match(value) is not None


def _find_key(node: Any, path: str, offending: Callable[[str, Any], bool]) -> str | None:
    """The dotted path of the first key, at any depth, whose value is `offending`."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if offending(str(key), value):
                return here
            found = _find_key(value, here, offending)
            if found:
                return found
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found = _find_key(value, f"{path}.{index}", offending)
            if found:
                return found
    return None


def _resolve_paths(config: PecmConfig, base: Path) -> PecmConfig:
    """Relative paths in a config file are relative to the file, not to the working directory.

    Collectors resolve their own path settings against `CollectContext.base_dir`.
    """
    packs = [path if path.is_absolute() else base / path for path in config.rules.packs]
    cache_dir = config.cache_dir if config.cache_dir is None or config.cache_dir.is_absolute() else base / config.cache_dir
    self_assessment = config.self_assessment
    if self_assessment is not None and not self_assessment.is_absolute():
        self_assessment = base / self_assessment
    gate = config.gate
    if gate.baseline is not None and not gate.baseline.is_absolute():
        gate = gate.model_copy(update={"baseline": base / gate.baseline})
    return config.model_copy(
        update={
            "rules": config.rules.model_copy(update={"packs": packs}),
            "cache_dir": cache_dir,
            "gate": gate,
            "self_assessment": self_assessment,
        }
    )


@dataclass(frozen=True)
class LoadedConfig:
    config: PecmConfig
    base_dir: Path  # the config file's folder; the working directory when there is no file
    label: str = "config"  # how messages name the configuration, e.g. "config pecm.yaml"


def parse_config(data: Any, where: str, base: Path) -> LoadedConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: the configuration must be a mapping of keys, not {type(data).__name__}")
    secret_key = _find_key(data, "", _is_secret)
    if secret_key:
        raise UserError(
            f"{where} {secret_key}: secrets do not belong in the config file",
            hint=f"put it in an environment variable and name that variable with '{secret_key.rsplit('.', 1)[-1]}_env'",
        )
    env_key = _find_key(data, "", _is_not_a_variable_name)
    if env_key:  # the value is never repeated: it is probably a token pasted in the wrong place
        raise UserError(
            f"{where} {env_key} must name an environment variable (letters, digits, _), not hold the secret itself"
        )
    for name, section in data.get("sources", {}).items() if isinstance(data.get("sources"), dict) else ():
        if not isinstance(section, dict):
            raise UserError(f"{where} sources.{name}: must be a mapping of the collector's settings")
    try:
        config = PecmConfig.model_validate(data)
    except ValidationError as exc:
        raise UserError(describe_validation_error(exc, where)) from None
    return LoadedConfig(_resolve_paths(config, base), base, where)


def load_config(path: Path) -> LoadedConfig:
    where = f"config {path}"
    return parse_config(read_user_yaml(path, where), where, path.parent)

"""`detect`: a repository's file list (and contents read on demand) in, file signals out."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from collectors.detect import ci, gitops, iac, named, observability, origins, ownership, policy, portal, runners
from collectors.detect.classify import Plan, plan_files
from collectors.detect.files import FileReader, ReadFile, RepoFile
from collectors.detect.findings import Findings, absent
from collectors.detect.manifests import scan_manifests
from collectors.detect.parse import (
    has_template_blocks,
    load_json,
    load_template_json,
    refuse_alias_bomb,
    strip_template,
)
from scanner.kinds import FILE_SIGNAL_KINDS

logger = logging.getLogger(__name__)

DEFAULT_MAX_FILE_BYTES = 1_048_576

# A JSON file is parsed only when it holds one of these: most JSON is not infrastructure.
_JSON_MARKERS = (
    '"panels"',  # Grafana dashboard
    "eploymentTemplate.json",  # ARM template $schema (deploymentTemplate, subscriptionDeploymentTemplate …)
    '"policyRule"',  # Azure Policy definition
    '"policyDefinitions"',  # Azure Policy set definition (initiative)
    "Notebook/1.0",  # Azure workbook
    "AWSTemplateFormatVersion",  # CloudFormation
    '"AWS::',
)


@dataclass
class Detection:
    found: dict[str, dict[str, Any]]  # kind -> evidence data, only for the kinds found something of
    files_read: int  # calls made to `read`
    problems: list[str]  # "<path>: <what happened> — <what to do>"
    #: kind -> why it is unknown: a file that decides it could not be used. Collectors emit
    #: these kinds as unavailable with that reason instead of the signals below.
    unknown: dict[str, str]

    @cached_property
    def signals(self) -> dict[str, dict[str, Any]]:
        """kind -> evidence data, every FILE_SIGNAL_KINDS kind: what was found, else its defaults."""
        found = self.found
        return {kind: found[kind] if kind in found else absent(kind) for kind in FILE_SIGNAL_KINDS}

    @cached_property
    def locators(self) -> dict[str, tuple[str, ...]]:
        """kind -> paths behind it (data["paths"]), every FILE_SIGNAL_KINDS kind."""
        return {kind: tuple(data["paths"]) for kind, data in self.signals.items()}


@dataclass(frozen=True)
class Planned:
    """A repository's paths classified once: what they prove by their names alone (`findings`)
    and the files whose contents decide (`plan`). A reader that fetches the files ahead (one
    archive) asks the plan which, and hands it to `detect` rather than classify twice."""

    plan: Plan
    findings: Findings


def plan_detection(
    paths: Sequence[str], sizes: Mapping[str, int] | None = None, chosen: Sequence[str] | None = None
) -> Planned:
    """`chosen`: the paths a rule may take, where the lister found them (classify.candidates_by_folder)."""
    findings = Findings()
    return Planned(plan_files(paths, sizes or {}, findings, chosen), findings)


def detect(
    paths: Sequence[str],
    read: ReadFile,
    *,
    sizes: Mapping[str, int] | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    planned: Planned | None = None,
) -> Detection:
    """Detect every file signal of a repository from its file paths (POSIX, relative to its
    root) and, where the lister knows them, their sizes in bytes. Reads only candidate files,
    each at most once, none larger than `max_file_bytes`; a file that cannot be used becomes
    a problem and detection goes on. `planned`: `plan_detection` of the same paths and sizes,
    used once (detection adds to its findings)."""
    reader = FileReader(read, max_file_bytes)
    if planned is None:
        planned = plan_detection(paths, sizes)
    plan, findings = planned.plan, planned.findings

    ci.scan_github_workflows(plan.workflows, reader, findings)
    ci.scan_gitlab_pipelines(plan.gitlab_pipelines, reader, findings, plan.yaml_files() if plan.gitlab_pipelines else {})
    ci.scan_gitlab_templates(plan.gitlab_templates, reader, findings)
    ci.scan_azure_pipelines(plan.azure_pipelines, reader, findings)
    ci.scan_jenkinsfiles(plan.jenkinsfiles, reader, findings)
    ci.scan_circleci(plan.circleci, reader, findings)
    ci.scan_precommit(plan.precommit, reader, findings)
    ownership.scan_codeowners(plan.codeowners, reader, findings)
    iac.scan_module_sources(plan.terraform, plan.bicep, reader, findings)
    iac.scan_terraform_json(plan.terraform_json, reader, findings)
    iac.scan_helm_charts(plan.helm_charts, reader, findings)
    iac.scan_kustomizations(plan.kustomizations, reader, findings)
    runners.scan_configs(plan.runner_configs, reader, findings)
    named.confirm(plan.named, reader, findings, paths)
    origins.scan_template_answers(plan.template_answers, reader, findings)
    pending = gitops.PendingRefs()
    for file in plan.yaml:
        _scan_yaml(file, reader, findings, pending)
    for file in plan.settings_yaml:
        text = reader.text(file)
        if text is not None:
            ci.scan_yaml(file.path, text, reader, findings)
    for file in plan.json:
        _scan_json(file, reader, findings)
    portal.resolve_techdocs(findings)
    ci.resolve_internal_only(findings)
    gitops.resolve(findings, pending)

    logger.debug("detection read %d of %d files, %d problems", reader.files_read, len(paths), len(reader.problems))
    return Detection(found=findings.found(), files_read=reader.files_read, problems=reader.problems, unknown=findings.unknown)


def _scan_yaml(file: RepoFile, reader: FileReader, findings: Findings, pending: gitops.PendingRefs) -> None:
    """Any YAML file may be a manifest, a rule file, a playbook, a template or a pipeline."""
    text = _text(file, reader, findings)
    if text is None or portal.is_template_skeleton(text) or refuse_alias_bomb(file.path, text, reader):
        return
    families = scan_manifests(file.path, text, findings)
    if gitops.wants(text):
        gitops.scan_yaml(file.path, text, findings, pending)
    portal.scan_yaml(file.path, text, reader, findings, families)
    observability.scan_yaml(file.path, text, findings, families)
    iac.scan_yaml(file.path, text, findings)
    ci.scan_yaml(file.path, text, reader, findings)


def _scan_json(file: RepoFile, reader: FileReader, findings: Findings) -> None:
    text = _text(file, reader, findings)
    if text is None or not any(marker in text for marker in _JSON_MARKERS):
        return
    if file.path in findings.templated:
        value = load_template_json(text)
    elif has_template_blocks(text) and load_template_json(text) is None:
        # Not JSON, but Jinja-templated JSON (a dashboard's `{{pod}}` legends are valid JSON
        # and stay plain): parsed with its blocks stripped, or left alone — a template whose
        # loops leave no valid JSON is not a broken file.
        findings.templated.add(file.path)
        value = load_template_json(strip_template(text))
    else:
        value = load_json(file.path, text, reader)
    if value is None:
        return
    observability.scan_json(file.path, value, text, findings)
    iac.scan_json(file.path, value, findings)
    policy.scan_json(file.path, value, text, findings)


def _text(file: RepoFile, reader: FileReader, findings: Findings) -> str | None:
    """The file's text; a templated file's with its template blocks stripped."""
    text = reader.text(file)
    return strip_template(text) if text is not None and file.path in findings.templated else text

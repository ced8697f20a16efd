"""CI/CD pipelines: which systems, whether they deploy or apply infrastructure (deploys.py,
job by job), which policy scanners they run (scanners.py), and which reusable CI they offer
or consume.

Structure (jobs, environments, includes, `uses:`) comes from the parsed YAML; a job's
commands from its steps (steps.py). Jenkinsfiles are not YAML: their text, comments removed,
is judged as one job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

from collectors.detect.deploys import NOTHING, Verdict, judge, says_deploy
from collectors.detect.files import FileReader, RepoFile
from collectors.detect.findings import CI, REUSE_PROVIDED, REUSE_USED, RUNNER, SCANNERS, Findings
from collectors.detect.iac import without_credentials
from collectors.detect.parse import as_list, iter_mappings, load_yaml, read_yaml_mapping, strip_comment_lines
from collectors.detect.parsed import TextMemo
from collectors.detect.scanners import record_scanners, scanners_run
from collectors.detect.steps import PRECOMMIT_STEP_KEYS, jenkins_steps, step_text, yaml_steps

_JENKINS_DEPLOY_STAGE = re.compile(r"\bstage[ \t]*\([ \t]*[\"'][^\"'\n]*deploy", re.I)
_JENKINS_LIBRARY = re.compile(r"@Library\([ \t]*\[?[ \t]*[\"']([^\"']+)[\"']|\blibrary[ \t(]+[\"']([^\"']+)[\"']")

_GITLAB_KEYWORDS = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "types",
        "spec",
    }
)
_GITLAB_JOB_KEYS = frozenset({"script", "trigger", "extends", "stage", "run", "needs"})

_AZURE_TOP = re.compile(r"^(?:stages|jobs|steps):", re.M)
_AZURE_ITEM = re.compile(
    r"^[ \t]*-[ \t]*(?:stage|job|deployment|task|script|bash|pwsh|powershell|template|checkout)[ \t]*:", re.M
)
_AZURE_STEP_KEYS = frozenset(
    {
        "task",
        "script",
        "bash",
        "pwsh",
        "powershell",
        "checkout",
        "download",
        "publish",
        "template",
        "downloadBuild",
        "getPackage",
        "reviewApp",
    }
)
_AZURE_SHAPES = (
    ("stages", frozenset({"stage", "template"})),
    ("jobs", frozenset({"job", "deployment", "template"})),
    ("steps", _AZURE_STEP_KEYS),
)
_AZURE_ENTRY_KEYS = frozenset({"trigger", "pr", "schedules", "pool", "resources"})

_NOT_GITLAB_TEMPLATE = re.compile(r"^apiVersion:|\{\{", re.M)  # a Helm chart's templates/


#: GitLab pipeline files scanned at most per repository, included ones counted: bounds a
#: chain of includes (GitLab itself allows 150).
MAX_GITLAB_PIPELINE_FILES = 150

#: What a pipeline file decides: one that cannot be used leaves them all unknown, not absent.
CI_KINDS = (CI, REUSE_PROVIDED, REUSE_USED, SCANNERS)


def _unusable(file: RepoFile, reader: FileReader, findings: Findings) -> None:
    """A pipeline file that yielded nothing: if it could not be read or parsed (not merely
    empty), the CI kinds are unknown."""
    what = reader.failed.get(file.path)
    if what is not None:
        findings.cannot_tell(CI_KINDS, f"pipeline file {file.path} could not be used: {what}")


def _record_verdict(verdict: Verdict, findings: Findings) -> None:
    if verdict.deploys:
        findings.set(CI, "deploys", True)
    if verdict.applies:
        findings.set(CI, "applies_infrastructure", True)


def _record_pipeline(path: str, system: str, findings: Findings) -> None:
    findings.hit(CI, path)
    findings.add(CI, "systems", system)


# --- GitHub Actions ------------------------------------------------------------------------


def _triggered_by(workflow: dict[Any, Any], event: str) -> bool:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    if isinstance(triggers, str):
        return triggers == event
    return isinstance(triggers, (list, dict)) and event in triggers


class _Workflow(NamedTuple):
    """What a GitHub Actions workflow says, whatever its path."""

    scanners: tuple[str, ...]  # policy scanners its steps run
    callable: bool  # `on: workflow_call`: offered to other workflows
    called_here: tuple[str, ...]  # this repository's workflows its jobs call (`uses: ./…`)
    reusable: tuple[str, ...]  # other repositories' workflows its jobs call
    actions: tuple[str, ...]  # step-level actions shared from elsewhere
    verdict: Verdict  # whether any of its jobs deploys, or applies infrastructure


# Workflows by text (parsed.py): repositories made from one template share theirs.
_WORKFLOWS: TextMemo[_Workflow] = TextMemo()


def scan_github_workflows(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    for file in files:
        text = reader.text(file)
        workflow = _WORKFLOWS.get(text) if text is not None else None
        if workflow is None:
            loaded = read_yaml_mapping(file, reader)
            if loaded is None:
                _unusable(file, reader, findings)
                continue
            workflow = _workflow(loaded[1])
            _WORKFLOWS.put(loaded[0], workflow)
        _record_workflow(file.path, workflow, findings)


def _workflow(document: dict[Any, Any]) -> _Workflow:
    called_here: list[str] = []
    reusable: list[str] = []
    actions: list[str] = []
    verdict = NOTHING
    jobs = document.get("jobs")
    for job_id, job in jobs.items() if isinstance(jobs, dict) else ():
        if not isinstance(job, dict):
            continue
        uses = job.get("uses")  # job-level `uses:` calls a reusable workflow; step-level is an action
        if isinstance(uses, str) and uses.startswith("./"):
            called_here.append(uses.removeprefix("./").partition("@")[0])
        elif isinstance(uses, str) and "/.github/workflows/" in uses:
            reusable.append(uses)
        actions.extend(_shared_actions(job))
        named = says_deploy(job_id) or says_deploy(job.get("name"))
        job_verdict = judge(step_text(job), named_deploy=named, environment=job.get("environment"))
        verdict = Verdict(verdict.deploys or bool(job_verdict.deploys), verdict.applies or bool(job_verdict.applies))
    return _Workflow(
        scanners=tuple(scanners_run(yaml_steps(document))),
        callable=_triggered_by(document, "workflow_call"),
        called_here=tuple(called_here),
        reusable=tuple(reusable),
        actions=tuple(actions),
        verdict=verdict,
    )


def _record_workflow(path: str, workflow: _Workflow, findings: Findings) -> None:
    _record_pipeline(path, "github_actions", findings)
    for tool in workflow.scanners:
        findings.hit(SCANNERS, path, tool)
    if workflow.callable:
        findings.hit(REUSE_PROVIDED, path)
        findings.add(REUSE_PROVIDED, "workflows", path)
    findings.called_here.update(workflow.called_here)
    for uses in workflow.reusable:
        findings.hit(REUSE_USED, path)
        findings.add(REUSE_USED, "refs", uses)
        findings.reference("github_workflow", uses, path)
    for uses in workflow.actions:
        findings.reference("github_action", uses, path)
    _record_verdict(workflow.verdict, findings)


def resolve_internal_only(findings: Findings) -> None:
    """Reusable CI is purely internal when every file offered is one this repository calls itself:
    nothing then shows it is meant for other repositories."""
    if not findings.has(REUSE_PROVIDED):  # then it offers no workflow either
        return
    provided = findings.data(REUSE_PROVIDED)["workflows"]
    if provided and set(provided) <= findings.called_here:
        findings.set(REUSE_PROVIDED, "internal_only", True)


def _shared_actions(job: dict[Any, Any]) -> Iterator[str]:
    """Step-level `uses: owner/repo@ref` actions; local (`./`) and `docker://` ones take nothing shared."""
    for step in as_list(job.get("steps")):
        uses = step.get("uses") if isinstance(step, dict) else None
        if isinstance(uses, str) and not uses.startswith(("./", "docker://")) and "/" in uses:
            yield uses


# --- GitLab CI -----------------------------------------------------------------------------


def _gitlab_jobs(document: dict[Any, Any]) -> Iterator[tuple[str, dict[Any, Any]]]:
    for name, job in document.items():
        if (
            isinstance(name, str)
            and name not in _GITLAB_KEYWORDS
            and isinstance(job, dict)
            and not _GITLAB_JOB_KEYS.isdisjoint(job)
        ):
            yield name, job


def _gitlab_include_refs(document: dict[Any, Any]) -> Iterator[str]:
    """Includes from elsewhere; `local:` includes are this repository's own files."""
    for include in as_list(document.get("include")):
        if isinstance(include, str):
            if include.startswith(("http://", "https://")):
                yield without_credentials(include)
        elif isinstance(include, dict):
            if isinstance(include.get("project"), str):
                ref = include.get("ref")
                for name in as_list(include.get("file")):
                    if isinstance(name, str):
                        yield f"{include['project']}/{name.lstrip('/')}" + (f"@{ref}" if ref else "")
            elif isinstance(include.get("remote"), str):
                yield without_credentials(include["remote"])
            elif isinstance(include.get("component"), str):
                yield include["component"]
            elif isinstance(include.get("template"), str):
                yield f"template:{include['template']}"


def _has_spec_header(documents: list[Any]) -> bool:
    """A CI/CD component or input-taking template starts with a `spec:` document."""
    return len(documents) > 1 and isinstance(documents[0], dict) and set(documents[0]) == {"spec"}


def _gitlab_local_includes(document: dict[Any, Any]) -> Iterator[str]:
    """Patterns of this repository's files the document includes (`local:`, or a plain path)."""
    for include in as_list(document.get("include")):
        if isinstance(include, dict):
            include = include.get("local")
        if isinstance(include, str) and include and "://" not in include and "$" not in include:
            yield include.lstrip("/")


def _included_files(patterns: list[str], listed: dict[str, RepoFile]) -> list[RepoFile]:
    """The listed files that local include patterns name (GitLab allows `*` and `**` globs)."""
    found: list[RepoFile] = []
    for pattern in patterns:
        if pattern in listed:
            found.append(listed[pattern])
        elif "*" in pattern:
            found += [listed[path] for path in sorted(listed) if fnmatchcase(path, pattern)]
    return found


def scan_gitlab_pipelines(
    files: list[RepoFile], reader: FileReader, findings: Findings, listed: dict[str, RepoFile]
) -> None:
    """.gitlab-ci.yml, the files it usually includes from .gitlab/ci/, and every file a scanned
    pipeline includes locally (`listed`: the repository's YAML files by path), each once."""
    pending, seen = list(files), {file.path for file in files}
    while pending and len(seen) <= MAX_GITLAB_PIPELINE_FILES:
        file = pending.pop(0)
        documents = scan_gitlab_pipeline(file, reader, findings)
        patterns = [pattern for document in documents for pattern in _gitlab_local_includes(document)]
        for included in _included_files(patterns, listed):
            if included.path not in seen:
                seen.add(included.path)
                pending.append(included)


def scan_gitlab_pipeline(file: RepoFile, reader: FileReader, findings: Findings) -> list[dict[Any, Any]]:
    """Scan one GitLab pipeline file; its mapping documents, for the includes to follow (also
    those of another project a Git host fetched: collectors/gitlab/includes.py)."""
    text = reader.text(file)
    loaded = load_yaml(file.path, text, reader) if text is not None else None
    documents = [document for document in loaded or () if isinstance(document, dict)]
    if not documents:
        _unusable(file, reader, findings)
        return []
    _record_pipeline(file.path, "gitlab_ci", findings)
    record_scanners(file.path, yaml_steps(documents), findings)
    if file.path != ".gitlab-ci.yml" and _has_spec_header(loaded or []):
        findings.hit(REUSE_PROVIDED, file.path)
        findings.add(REUSE_PROVIDED, "workflows", file.path)
    for document in documents:
        findings.called_here.update(_gitlab_local_includes(document))
        refs = list(_gitlab_include_refs(document))
        if refs:
            findings.hit(REUSE_USED, file.path)
            findings.add(REUSE_USED, "refs", *refs)
            for ref in refs:
                findings.reference("gitlab_include", ref, file.path)
        for name, job in _gitlab_jobs(document):
            if name == "pages" or "pages" in job:  # GitLab Pages publishes a site
                continue
            named = says_deploy(name) or says_deploy(job.get("stage"))
            _record_verdict(judge(step_text(job), named_deploy=named, environment=job.get("environment")), findings)
    return documents


def scan_gitlab_templates(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    """CI templates and components offered to others: `*.gitlab-ci.yml` away from the root,
    root `templates/` files. A Helm chart's `templates/` is told apart by its manifests."""
    for file in files:
        text = reader.text(file)
        if text is None or _NOT_GITLAB_TEMPLATE.search(text):
            continue
        if not any(key in text for key in ("script:", "spec:", "extends:", "trigger:")):
            continue
        documents = load_yaml(file.path, text, reader) or []
        jobs = [job for document in documents if isinstance(document, dict) for job in _gitlab_jobs(document)]
        if jobs or _has_spec_header(documents):
            findings.hit(REUSE_PROVIDED, file.path)
            findings.add(REUSE_PROVIDED, "workflows", file.path)


# --- Azure Pipelines -----------------------------------------------------------------------


def _azure_shaped(document: Any) -> bool:
    if not isinstance(document, dict) or "on" in document or True in document:
        return False
    for key, item_keys in _AZURE_SHAPES:
        items = document.get(key)
        if (
            isinstance(items, list)
            and items
            and all(isinstance(i, dict) and not item_keys.isdisjoint(i) for i in items)
        ):
            return True
    return False


def _azure_template_refs(pipeline: dict[Any, Any]) -> Iterator[str]:
    """`template: file.yml@alias` where alias names a repository resource."""
    repositories: dict[str, tuple[str, Any]] = {}
    resources = pipeline.get("resources")
    for repository in as_list(resources.get("repositories") if isinstance(resources, dict) else None):
        if isinstance(repository, dict) and isinstance(repository.get("repository"), str):
            alias = repository["repository"]
            repositories[alias] = (str(repository.get("name") or alias), repository.get("ref"))
    for mapping in iter_mappings(pipeline):
        template = mapping.get("template")
        if isinstance(template, str) and "@" in template:
            name, _, alias = template.rpartition("@")
            if alias != "self":
                repository, ref = repositories.get(alias, (alias, None))
                yield f"{repository}/{name.lstrip('/')}" + (f"@{ref}" if ref else "")


def _scan_azure_pipeline(path: str, pipeline: dict[Any, Any], findings: Findings) -> None:
    _record_pipeline(path, "azure_pipelines", findings)
    record_scanners(path, yaml_steps(pipeline), findings)
    refs = list(_azure_template_refs(pipeline))
    if refs:
        findings.hit(REUSE_USED, path)
        findings.add(REUSE_USED, "refs", *refs)
        for ref in refs:
            findings.reference("azure_template", ref, path)
    for mapping in iter_mappings(pipeline):
        template = mapping.get("template")
        if isinstance(template, str) and ("@" not in template or template.endswith("@self")):
            findings.called_here.add(template.removesuffix("@self").lstrip("/"))  # this repository's own file
    for named, job in _azure_jobs(pipeline):
        deployment = "deployment" in job  # a deployment job always targets an environment
        environment = job.get("environment") or deployment
        verdict = judge(step_text(job), named_deploy=named, environment=environment)
        _record_verdict(verdict, findings)
        if deployment and verdict.applies:  # infrastructure applied by a gated deployment job
            findings.hit(RUNNER, path, "azure_pipelines")


def _azure_jobs(pipeline: dict[Any, Any]) -> Iterator[tuple[bool, dict[Any, Any]]]:
    """(whether its stage or its own name says deploy, job) for every job; a pipeline of bare
    steps is one job."""
    stages = [(says_deploy(stage.get("stage")), stage) for stage in _mappings(pipeline.get("stages"))]
    for named_stage, holder in [(False, pipeline), *stages]:
        for job in _mappings(holder.get("jobs")):
            yield named_stage or says_deploy(job.get("job")) or says_deploy(job.get("deployment")), job
    if "steps" in pipeline:
        yield False, pipeline


def _mappings(value: Any) -> list[dict[Any, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def scan_azure_pipelines(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    """Files named azure-pipelines*.yml: pipelines by name."""
    for file in files:
        loaded = read_yaml_mapping(file, reader)
        if loaded is not None:
            _scan_azure_pipeline(file.path, loaded[1], findings)
        else:
            _unusable(file, reader, findings)


def _azure_words(text: str) -> bool:
    """What `_AZURE_TOP` needs somewhere in the text: substring tests rule out most files at a
    fraction of the pattern's cost (under re.M it tries every position)."""
    return "stages:" in text or "jobs:" in text or "steps:" in text


def scan_yaml(path: str, text: str, reader: FileReader, findings: Findings) -> None:
    """Any other YAML file may be an Azure pipeline (or template) recognised by its shape."""
    if not (_azure_words(text) and _AZURE_TOP.search(text) and _AZURE_ITEM.search(text)):
        return
    documents = load_yaml(path, text, reader)
    if not documents or not _azure_shaped(documents[0]):
        return
    pipeline = documents[0]
    in_templates_folder = "template" in path.rpartition("/")[0].lower()
    if _AZURE_ENTRY_KEYS.isdisjoint(pipeline) and ("parameters" in pipeline or in_templates_folder):
        findings.hit(REUSE_PROVIDED, path)
        findings.add(REUSE_PROVIDED, "workflows", path)
        return
    _scan_azure_pipeline(path, pipeline, findings)


# --- Jenkins, CircleCI, pre-commit ---------------------------------------------------------


def scan_jenkinsfiles(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    for file in files:
        text = reader.text(file)
        if text is None:
            _unusable(file, reader, findings)
            continue
        _record_pipeline(file.path, "jenkins", findings)
        code = strip_comment_lines(text, slash=True)  # Groovy comments; shell ones go next
        record_scanners(file.path, jenkins_steps(code), findings)
        _record_verdict(judge(strip_comment_lines(code), named_deploy=bool(_JENKINS_DEPLOY_STAGE.search(code))), findings)
        libraries = [a or b for a, b in _JENKINS_LIBRARY.findall(code)]
        if libraries:  # shared libraries are Jenkins' reusable CI
            findings.hit(REUSE_USED, file.path)
            findings.add(REUSE_USED, "refs", *(f"jenkins-library:{name}" for name in libraries))
            for name in libraries:
                findings.reference("jenkins_library", name, file.path)


def scan_circleci(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    for file in files:
        loaded = read_yaml_mapping(file, reader)
        if loaded is None:
            _unusable(file, reader, findings)
            continue
        _, config = loaded
        _record_pipeline(file.path, "circleci", findings)
        record_scanners(file.path, yaml_steps(config), findings)
        jobs = config.get("jobs")
        for name, job in jobs.items() if isinstance(jobs, dict) else ():
            _record_verdict(judge(step_text(job), named_deploy=says_deploy(name)), findings)


def scan_precommit(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    """Scanner hooks in pre-commit run on every commit, in CI too where pre-commit runs."""
    for file in files:
        loaded = read_yaml_mapping(file, reader)
        if loaded is not None:
            record_scanners(file.path, yaml_steps(loaded[1], PRECOMMIT_STEP_KEYS), findings)

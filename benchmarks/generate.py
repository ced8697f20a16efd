"""Synthetic organizations for the benchmarks: deterministic, sized like a real mid-size org."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scanner.kinds import FILE_SIGNAL_KINDS, KINDS, KindRegistry
from scanner.model import Evidence, EvidenceBundle, EvidenceStatus, SourceRun, Subject

WORKFLOW = """name: ci
on: [push]
jobs:
  build:
    uses: acme/platform/.github/workflows/build.yml@v1
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: checkov -d .
"""
MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{n}
spec:
  replicas: 2
---
apiVersion: v1
kind: Service
metadata:
  name: app-{n}
"""
TERRAFORM = 'module "net" {{\n  source = "git::https://git.example/acme/modules.git//net?ref=v{n}"\n}}\n'


def write_tree(
    root: Path, repositories: int = 500, files_per_repository: int = 200, seed: int = 7, distinct: bool = False
) -> int:
    """Write `repositories` plain-folder repositories; return the number of files written.
    `distinct`: each repository's workflow, catalog entry and manifests end in a comment naming
    it, so no two repositories share a text (detection keeps what a shared text says)."""
    rng = random.Random(seed)
    written = 0
    for index in range(repositories):
        repo = root / f"svc-{index:04d}"
        specials: dict[str, str] = {"README.md": f"# svc {index}\n"}
        if rng.random() < 0.7:
            specials[".github/workflows/ci.yml"] = WORKFLOW
        if rng.random() < 0.5:
            specials["infra/main.tf"] = TERRAFORM.format(n=index)
        if rng.random() < 0.4:
            specials["CODEOWNERS"] = "* @acme/team-a\n"
        if rng.random() < 0.3:
            specials["catalog-info.yaml"] = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\n"
        for m in range(rng.randint(0, 6)):
            specials[f"deploy/manifest-{m}.yaml"] = MANIFEST.format(n=m)
        for n in range(files_per_repository - len(specials)):
            folder = ("src", "src/pkg", "tests", "docs", "assets")[n % 5]
            suffix = (".py", ".py", ".py", ".md", ".png")[n % 5]
            specials[f"{folder}/file_{n}{suffix}"] = f"# generated file {n}\n" * 4
        if distinct:
            for relative in specials:
                if relative.endswith((".yml", ".yaml")):
                    specials[relative] += f"# svc-{index:04d}\n"
        for relative, text in specials.items():
            path = repo / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written += 1
    return written


def bundle(repositories: int = 10_000, seed: int = 7) -> EvidenceBundle:
    """A bundle shaped like a local scan of `repositories` repositories, 5% of them unreadable."""
    rng = random.Random(seed)
    registry = KindRegistry(KINDS)
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    provides = (*FILE_SIGNAL_KINDS, "repo.inventory", "vcs.activity", "vcs.branch_protection")
    subjects, evidence = [], []
    for index in range(repositories):
        name = f"svc-{index:05d}" if index % 50 else f"platform-{index:05d}"
        subject = Subject(id=f"local:{name}", kind="repository", name=name, source="local",
                          tags=("platform",) if name.startswith("platform") else ())
        subjects.append(subject)
        for kind in provides:
            status, reason = EvidenceStatus.OBSERVED, None
            data: dict[str, Any] = {}
            if kind == "vcs.branch_protection":
                status, reason = EvidenceStatus.UNSUPPORTED, "local checkout"
            elif rng.random() < 0.05:
                status, reason = EvidenceStatus.UNAVAILABLE, "unreadable"
            elif kind == "repo.inventory":
                data = {"files": rng.randint(10, 500)}
            elif kind == "vcs.activity":
                data = {"window_days": 90, "commits": rng.randint(0, 200), "active_weeks": rng.randint(0, 13),
                        "authors": rng.randint(0, 12)}
            elif kind == "product.artifacts":
                data = {"roadmap": rng.random() < 0.1, "changelog": rng.random() < 0.3, "contributing": rng.random() < 0.2}
            else:
                present = rng.random() < 0.4
                data = {"present": present, "paths": ["some/path.yaml"] if present else []}
            if status is EvidenceStatus.OBSERVED:
                data = registry.validate_data(kind, data)
            evidence.append(Evidence(kind=kind, subject=subject.id, status=status, data=data, reason=reason,
                                     collector="local", collector_version="1", observed_at=now))
    run = SourceRun(collector="local", version="1", provides=tuple(sorted(provides)), status="ok",
                    subjects=repositories, evidence=len(evidence), started_at=now, finished_at=now)
    return EvidenceBundle(pecm_version="bench", created_at=now, sources=(run,), subjects=tuple(subjects),
                          evidence=tuple(evidence))

"""A plan made once (to choose an archive's files) and handed to `detect` detects what `detect`
finds classifying the paths itself."""

from __future__ import annotations

from collectors.detect.detection import detect, plan_detection

FILES = {
    ".github/workflows/ci.yml": b"on: [push]\njobs:\n  build:\n    uses: acme/platform-ci/.github/workflows/build.yml@v1\n",
    ".github/CODEOWNERS": b"* @acme/platform\n",
    "catalog-info.yaml": b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\n",
    "infra/main.tf": b'module "net" {\n  source = "git::https://github.com/acme/tf-modules.git//net?ref=v1"\n}\n',
    "deploy/app.yaml": b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc}\n",
    "src/app.py": b"print('x')\n",
}


def test_a_plan_made_beforehand_detects_the_same_signals() -> None:
    paths = sorted(FILES)
    sizes = {path: len(content) for path, content in FILES.items()}
    read: list[str] = []

    def reader(path: str) -> bytes:
        read.append(path)
        return FILES[path]

    planned = plan_detection(paths, sizes)
    with_plan = detect(paths, reader, sizes=sizes, planned=planned)
    read_with_plan, read[:] = list(read), []
    without = detect(paths, reader, sizes=sizes)

    assert with_plan == without
    assert read_with_plan == read and "src/app.py" not in read
    assert with_plan.signals["ownership.codeowners"]["present"]

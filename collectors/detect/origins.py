"""Where a repository generated from a project template came from: the template source its
Copier answers file (`_src_path`) or cruft file (`template`) records. Such a file counts as
an origin only when it names its template: an empty `{}` or binary junk under that name
proves nothing."""

from __future__ import annotations

from collectors.detect.files import FileReader, RepoFile
from collectors.detect.findings import ORIGIN, Findings
from collectors.detect.iac import without_credentials
from collectors.detect.parse import load_json, read_yaml_mapping

_SOURCE_KEYS = {".cruft.json": ("cruft", "template")}
_COPIER = ("copier", "_src_path")


def scan_template_answers(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    for file in files:
        name = file.path.rpartition("/")[2]
        via, key = _SOURCE_KEYS.get(name, _COPIER)
        if name.endswith(".json"):
            text = reader.text(file)
            answers = load_json(file.path, text, reader) if text is not None else None
        else:
            loaded = read_yaml_mapping(file, reader)
            answers = loaded[1] if loaded else None
        source = answers.get(key) if isinstance(answers, dict) else None
        if isinstance(source, str) and source.strip():
            findings.hit(ORIGIN, file.path, via)
            findings.add(ORIGIN, "sources", without_credentials(source.strip()))
            findings.reference(via, without_credentials(source.strip()), file.path)

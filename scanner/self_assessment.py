"""Self-assessment files: what people believe about their platform, per capability.

Two formats (docs/self-assessment.md). YAML:

    version: 1
    respondents:
      - name: Platform team
        answers:
          investment: {current: defined, target: managed}
          adoption: {current: 3}          # a stage name or its number, 1-5

CSV, one row per capability and respondent: `capability,current,target,respondent[,note]`
(`capability` and `current` are required columns; `target`, `respondent` and `note` are
optional). Anything malformed is a UserError naming the file and the row or key.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import BaseModel, ConfigDict

from scanner.errors import UserError, read_user_text
from scanner.model import Capability, Stage, parse_stage
from scanner.user_yaml import read_user_yaml

FORMAT_VERSION: Final = 1
DEFAULT_RESPONDENT: Final = "anonymous"
CSV_REQUIRED: Final = ("capability", "current")
CSV_OPTIONAL: Final = ("target", "respondent", "note")
_BOM: Final = "\ufeff"
_ANSWER_KEYS: Final = ("current", "target", "note")
_STAGE_HELP: Final = "a stage name (" + ", ".join(stage.value for stage in Stage) + ") or its number 1-5"
_CAPABILITY_HELP: Final = "one of " + ", ".join(capability.value for capability in Capability)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Answer(_Frozen):
    current: Stage
    target: Stage | None = None
    note: str | None = None


class Respondent(_Frozen):
    name: str
    answers: dict[Capability, Answer]


class SelfAssessment(_Frozen):
    respondents: tuple[Respondent, ...]

    def answers_for(self, capability: Capability) -> list[tuple[str, Answer]]:
        """(respondent name, answer) for everyone who answered this capability, in file order."""
        return [(r.name, r.answers[capability]) for r in self.respondents if capability in r.answers]

    def agreed_stages(self) -> dict[Capability, Stage]:
        """Per capability answered, the lowest current stage reported: what every respondent claims."""
        agreed: dict[Capability, Stage] = {}
        for respondent in self.respondents:
            for capability, answer in respondent.answers.items():
                agreed[capability] = min(agreed.get(capability, answer.current), answer.current)
        return agreed

    def with_respondent(self, respondent: Respondent) -> SelfAssessment:
        if any(existing.name == respondent.name for existing in self.respondents):
            raise UserError(f"respondent {respondent.name!r} has already answered", hint="choose another --respondent")
        return SelfAssessment(respondents=(*self.respondents, respondent))


def load_self_assessment(path: Path) -> SelfAssessment:
    """Read a self-assessment file; the format follows the suffix (.yaml, .yml or .csv)."""
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise UserError(f"{path}: unknown self-assessment format {suffix or '(no suffix)'!r}", hint="use .yaml or .csv")
    if suffix != ".csv":
        # Duplicate keys are refused: a capability answered twice must not lose an answer.
        return parse_yaml_document(read_user_yaml(path, str(path)), str(path))
    return parse_csv(read_user_text(path, str(path)), str(path))


# --- YAML -------------------------------------------------------------------------------


def parse_yaml_document(document: Any, where: str) -> SelfAssessment:
    top = _mapping(document, where, "the file")
    _only_keys(top, ("version", "respondents"), where, "")
    if top.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise UserError(f"{where}: version: {top['version']!r} is not supported (this pecm reads version {FORMAT_VERSION})")
    entries = top.get("respondents")
    if not isinstance(entries, list) or not entries:
        raise UserError(f"{where}: respondents: expected a non-empty list of respondents")
    respondents: list[Respondent] = []
    for index, entry in enumerate(entries):
        key = f"respondents[{index}]"
        fields = _mapping(entry, where, key)
        _only_keys(fields, ("name", "answers"), where, f"{key}.")
        name = fields.get("name")
        if not isinstance(name, str) or not name.strip():
            raise UserError(f"{where}: {key}.name: expected the respondent's name (a team or a role)")
        if any(existing.name == name.strip() for existing in respondents):
            raise UserError(f"{where}: {key}.name: respondent {name.strip()!r} appears twice")
        answers = _mapping(fields.get("answers"), where, f"{key}.answers")
        if not answers:
            raise UserError(f"{where}: {key}.answers: expected at least one capability")
        respondents.append(Respondent(name=name.strip(), answers=_yaml_answers(answers, where, f"{key}.answers")))
    return SelfAssessment(respondents=tuple(respondents))


def _yaml_answers(answers: Mapping[Any, Any], where: str, key: str) -> dict[Capability, Answer]:
    parsed: dict[Capability, Answer] = {}
    for name, value in answers.items():
        capability = _capability(name, f"{where}: {key}.{name}")
        fields = {"current": value} if isinstance(value, (str, int)) else _mapping(value, where, f"{key}.{name}")
        _only_keys(fields, _ANSWER_KEYS, where, f"{key}.{name}.")
        parsed[capability] = _answer(fields, f"{where}: {key}.{name}")
    return parsed


def _mapping(value: Any, where: str, key: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise UserError(f"{where}: {key}: expected a mapping, got {_kind_of(value)}")
    return value


def _only_keys(fields: Mapping[Any, Any], allowed: tuple[str, ...], where: str, prefix: str) -> None:
    for name in fields:
        if name not in allowed:
            raise UserError(f"{where}: {prefix}{name}: unknown key (expected {', '.join(allowed)})")


def _kind_of(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


# --- CSV --------------------------------------------------------------------------------


def parse_csv(text: str, where: str) -> SelfAssessment:
    # Spreadsheets save "CSV UTF-8" with a byte-order mark, which would stick to the first column's name.
    reader = csv.DictReader(io.StringIO(text.removeprefix(_BOM), newline=""))
    columns = [name.strip() for name in reader.fieldnames or ()]
    repeated = next((name for index, name in enumerate(columns) if name in columns[:index]), None)
    if repeated is not None:  # DictReader would keep only the last column of that name
        raise UserError(
            f"{where}: row 1: column {repeated!r} appears twice",
            hint="keep one column of each name; one row answers for one respondent",
        )
    missing = [name for name in CSV_REQUIRED if name not in columns]
    if missing:
        raise UserError(f"{where}: row 1: missing column {', '.join(missing)} (columns: {', '.join((*CSV_REQUIRED, *CSV_OPTIONAL))})")
    unknown = [name for name in columns if name not in (*CSV_REQUIRED, *CSV_OPTIONAL)]
    if unknown:
        raise UserError(f"{where}: row 1: unknown column {unknown[0]!r} (columns: {', '.join((*CSV_REQUIRED, *CSV_OPTIONAL))})")
    reader.fieldnames = columns  # headers with stray spaces still name their columns
    by_respondent: dict[str, dict[Capability, Answer]] = {}
    for row in reader:
        at = f"{where}: row {reader.line_num}"
        if None in row:
            raise UserError(f"{at}: more cells than columns")
        cells = {name: (value or "").strip() for name, value in row.items()}
        if not any(cells.values()):
            continue  # a blank line
        capability = _capability(cells["capability"], at)
        respondent = cells.get("respondent") or DEFAULT_RESPONDENT
        answers = by_respondent.setdefault(respondent, {})
        if capability in answers:
            raise UserError(f"{at}: {capability.value} answered twice by {respondent!r}")
        fields = {name: cells[name] for name in _ANSWER_KEYS if cells.get(name)}
        answers[capability] = _answer(fields, at)
    if not by_respondent:
        raise UserError(f"{where}: no answers (expected one row per capability)")
    return SelfAssessment(respondents=tuple(Respondent(name=name, answers=a) for name, a in by_respondent.items()))


# --- shared -----------------------------------------------------------------------------


def _capability(value: Any, at: str) -> Capability:
    try:
        return Capability(str(value).strip().lower())
    except ValueError:
        raise UserError(f"{at}: {value!r} is not a capability ({_CAPABILITY_HELP})") from None


def _answer(fields: Mapping[str, Any], at: str) -> Answer:
    if fields.get("current") in (None, ""):
        raise UserError(f"{at}: current: missing (the stage you are at: {_STAGE_HELP})")
    current = _stage(fields["current"], f"{at}: current")
    target = _stage(fields["target"], f"{at}: target") if fields.get("target") not in (None, "") else None
    if target is not None and target < current:
        raise UserError(f"{at}: target: {target.value} is below current {current.value}")
    note = fields.get("note")
    return Answer(current=current, target=target, note=str(note) if note not in (None, "") else None)


def _stage(value: Any, at: str) -> Stage:
    stage = parse_stage(value)
    if stage is None:
        raise UserError(f"{at}: {value!r} is not a stage ({_STAGE_HELP})")
    return stage


def self_assessment_yaml(assessment: SelfAssessment) -> str:
    """The YAML form, as `pecm survey` writes it and `load_self_assessment` reads it back."""
    respondents = [
        {
            "name": respondent.name,
            "answers": {
                capability.value: {
                    key: value
                    for key, value in (
                        ("current", answer.current.value),
                        ("target", answer.target.value if answer.target else None),
                        ("note", answer.note),
                    )
                    if value is not None
                }
                for capability, answer in respondent.answers.items()
            },
        }
        for respondent in assessment.respondents
    ]
    body: str = yaml.safe_dump(
        {"version": FORMAT_VERSION, "respondents": respondents},
        sort_keys=False,
        default_flow_style=None,
        allow_unicode=True,
        width=1000,
    )
    return "# pecm self-assessment (see docs/self-assessment.md)\n" + body


# --- the survey's questions -------------------------------------------------------------

QUESTIONS_FILE: Final = "survey_questions.yaml"


class SurveyQuestion(_Frozen):
    capability: Capability
    title: str
    question: str
    stages: dict[Stage, str]  # every stage, in order, in plain words for the people answering


def load_survey_questions() -> tuple[SurveyQuestion, ...]:
    """The questions shipped beside this module, one per capability, in model order."""
    document = yaml.safe_load(resources.files("scanner").joinpath(QUESTIONS_FILE).read_text(encoding="utf-8"))
    questions = tuple(
        SurveyQuestion(capability=capability, **document[capability.value]) for capability in Capability
    )
    for question in questions:  # a shipped file missing a stage is a packaging bug, not user input
        if list(question.stages) != list(Stage):
            raise ValueError(f"{QUESTIONS_FILE}: {question.capability.value}: expected the five stages in order")
    return questions

"""Hostile SageMaker events for property tests: good job events, mutations of them, and random events.

Every generated record says what the handler must do with it:

- GOOD: a well-formed job event from a trusted account; it must be recorded, and its ``edges`` must be in
  the lineage graph afterwards.
- BAD: it must fail alone, with a rejection reason that contains ``why``.
- ANY: a mutation whose outcome depends on where it landed (recorded with values skipped, ignored, or
  rejected); the handler must still settle it one of those ways, and say which.

The defects this fuzzer found are pinned by explicit tests in tests/integration/test_hostile_input.py,
and the strategies here generate those inputs too.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import strategies as st
from lineage_recorder.families import BY_DETAIL_TYPE as FAMILY_BY_DETAIL_TYPE
from lineage_recorder.families import jobs
from lineage_recorder.families.jobs import JobKind
from moto.sagemaker.models import sagemaker_backends

from tests.support.events import ACCOUNT, REGION, envelope, job_arn, training_event

T = TypeVar("T")

OWN_ACCOUNT = ACCOUNT
PEER_ACCOUNTS = ("111122223333", "012345678901")
TRUSTED_ACCOUNTS = (OWN_ACCOUNT, *PEER_ACCOUNTS)

Node = tuple[str, str]
Edge = tuple[Node, Node, str]


class Expect(Enum):
    GOOD = "good"
    BAD = "bad"
    IGNORED = "ignored"  # a well-formed SageMaker event no family records: ignored with its reason
    ANY = "any"


@dataclass(frozen=True)
class HostileRecord:
    body: str
    expect: Expect
    label: str  # what was done to it, for assertion messages
    why: str = ""  # BAD: a word the rejection reason must contain
    edges: frozenset[Edge] = frozenset()  # GOOD: lineage that must exist once it is recorded
    # The job as SageMaker would hold it, created before the batch is handled (Describe is the source of
    # truth: an event about a job SageMaker does not have writes nothing). None: the job does not exist.
    job: dict[str, Any] | None = None

    def __repr__(self) -> str:  # hypothesis prints failing batches: keep them readable
        body = self.body if len(self.body) <= 300 else f"{self.body[:300]}...<{len(self.body)} characters>"
        return f"HostileRecord({self.expect.value}, {self.label!r}, why={self.why!r}, body={body!r})"


# --------------------------------------------------------------------------------------- good events


@dataclass(frozen=True)
class JobShape:
    """Where a job kind keeps what the fuzzer mutates."""

    kind: str
    detail_type: str
    arn_field: str
    status_field: str
    uri_paths: tuple[tuple[str | int, ...], ...]
    image_paths: tuple[tuple[str | int, ...], ...]
    structural: tuple[str, ...]  # detail keys that must be an object or a list when present


def _facts(kind: JobKind) -> tuple[str, str, str, str]:
    """What the one job-kind table says of a kind: its name, event, ARN field and status field."""
    return kind.name, kind.detail_type, kind.arn_field, kind.status_field


TRAINING = JobShape(
    *_facts(jobs.TRAINING),
    (
        ("InputDataConfig", 0, "DataSource", "S3DataSource", "S3Uri"),
        ("InputDataConfig", 1, "DataSource", "S3DataSource", "S3Uri"),
        ("OutputDataConfig", "S3OutputPath"),
        ("CheckpointConfig", "S3Uri"),
        ("ModelArtifacts", "S3ModelArtifacts"),
    ),
    (("AlgorithmSpecification", "TrainingImage"),),
    (
        "InputDataConfig",
        "AlgorithmSpecification",
        "OutputDataConfig",
        "ModelArtifacts",
        "CheckpointConfig",
    ),
)
PROCESSING = JobShape(
    *_facts(jobs.PROCESSING),
    (
        ("ProcessingInputs", 0, "S3Input", "S3Uri"),
        ("ProcessingOutputConfig", "Outputs", 0, "S3Output", "S3Uri"),
    ),
    (("AppSpecification", "ImageUri"),),
    ("ProcessingInputs", "ProcessingOutputConfig", "AppSpecification"),
)
TRANSFORM = JobShape(
    *_facts(jobs.TRANSFORM),
    (
        ("TransformInput", "DataSource", "S3DataSource", "S3Uri"),
        ("TransformOutput", "S3OutputPath"),
    ),
    (),
    ("TransformInput", "TransformOutput"),
)
SHAPES = (TRAINING, PROCESSING, TRANSFORM)

_serial = itertools.count()
_IMAGE_REGISTRY = f"{OWN_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


def _unique(kind: str) -> str:
    # Not drawn by hypothesis: every event gets names no earlier example used, so its lineage is its own.
    # Fixed width, so that what hypothesis draws from an event (lengths, paths) never depends on the serial.
    return f"fz-{kind}-{next(_serial):09d}"


def _job(kind: str, name: str) -> Node:
    node_type = next(job.node_type for job in jobs.JOB_KINDS if job.name == kind)
    return (node_type, job_arn(kind, name))


def good_training(account: str = OWN_ACCOUNT) -> tuple[dict[str, Any], frozenset[Edge]]:
    name = _unique("training")
    inputs = [f"s3://fuzz-features/{name}/train/", f"s3://fuzz-features/{name}/validation/"]
    image = f"{_IMAGE_REGISTRY}/fuzz-train:{name}"
    output = f"s3://fuzz-models/{name}/"
    event = training_event(name, inputs=inputs, image=image, output=output)
    event["account"] = account
    job = _job("training", name)
    # SageMaker (moto) puts the model under the output path, named after the job.
    model = f"{output}{name}/output/model.tar.gz"
    edges = {(("DataSet", uri), job, "ContributedTo") for uri in inputs}
    edges |= {(("Image", image), job, "ContributedTo"), (job, ("Model", model), "Produced")}
    return event, frozenset(edges)


def good_processing(account: str = OWN_ACCOUNT) -> tuple[dict[str, Any], frozenset[Edge]]:
    name = _unique("processing")
    raw, features = f"s3://fuzz-raw/{name}/", f"s3://fuzz-features/{name}/out/"
    image = f"{_IMAGE_REGISTRY}/fuzz-prep@sha256:{'ab' * 32}"
    detail = {
        "ProcessingJobName": name,
        "ProcessingJobArn": job_arn("processing", name),
        "ProcessingJobStatus": "Completed",
        "AppSpecification": {"ImageUri": image},
        "ProcessingInputs": [
            {
                "InputName": "raw",
                "S3Input": {"S3Uri": raw, "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix"},
            }
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "features",
                    "S3Output": {
                        "S3Uri": features,
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        "ProcessingStartTime": 1763719200.5,
        "Tags": [{"Key": "team", "Value": "ml"}],
    }
    event = envelope(PROCESSING.detail_type, detail, detail["ProcessingJobArn"], account=account)
    job = _job("processing", name)
    edges = {
        (("DataSet", raw), job, "ContributedTo"),
        (("Image", image), job, "ContributedTo"),
        (job, ("DataSet", features), "Produced"),
    }
    return event, frozenset(edges)


def good_transform(account: str = OWN_ACCOUNT) -> tuple[dict[str, Any], frozenset[Edge]]:
    name = _unique("transform")
    source, output = f"s3://fuzz-batch/{name}/in/", f"s3://fuzz-batch/{name}/out/"
    detail = {
        "TransformJobName": name,
        "TransformJobArn": job_arn("transform", name),
        "TransformJobStatus": "Completed",
        # No such model in the emulator: DescribeModel fails and the job is recorded without it.
        "ModelName": f"{name}-model",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": source}},
            "ContentType": "text/csv",
        },
        "TransformOutput": {"S3OutputPath": output},
        "TransformEndTime": "2026-11-21T10:00:00.123456789Z",
    }
    event = envelope(TRANSFORM.detail_type, detail, detail["TransformJobArn"], account=account)
    job = _job("transform", name)
    edges = {(("DataSet", source), job, "ContributedTo"), (job, ("DataSet", output), "Produced")}
    return event, frozenset(edges)


def create_job(sagemaker: Any, detail: dict[str, Any]) -> bool:
    """Create, with SageMaker's API, the job an event's detail describes; False when SageMaker's request
    model refuses a value (the event then names a job SageMaker does not have)."""
    role = f"arn:aws:iam::{OWN_ACCOUNT}:role/Fuzz"
    resources = {"InstanceType": "ml.m5.large", "InstanceCount": 1}
    try:
        if "TrainingJobArn" in detail:
            algorithm = detail.get("AlgorithmSpecification") or {}
            checkpoint = (detail.get("CheckpointConfig") or {}).get("S3Uri")
            sagemaker.create_training_job(
                TrainingJobName=str(detail["TrainingJobArn"]).rsplit("/", 1)[-1],
                RoleArn=role,
                AlgorithmSpecification={
                    "TrainingImage": algorithm.get("TrainingImage"),
                    "TrainingInputMode": "File",
                },
                InputDataConfig=detail.get("InputDataConfig") or [],
                OutputDataConfig={"S3OutputPath": (detail.get("OutputDataConfig") or {}).get("S3OutputPath")},
                ResourceConfig={**resources, "VolumeSizeInGB": 5},
                StoppingCondition={"MaxRuntimeInSeconds": 60},
                **({"CheckpointConfig": {"S3Uri": checkpoint}} if checkpoint else {}),
            )
        elif "ProcessingJobArn" in detail:
            sagemaker.create_processing_job(
                ProcessingJobName=str(detail["ProcessingJobArn"]).rsplit("/", 1)[-1],
                RoleArn=role,
                AppSpecification={"ImageUri": (detail.get("AppSpecification") or {}).get("ImageUri")},
                ProcessingResources={"ClusterConfig": {**resources, "VolumeSizeInGB": 5}},
                ProcessingInputs=detail.get("ProcessingInputs") or [],
                ProcessingOutputConfig=detail.get("ProcessingOutputConfig") or {"Outputs": []},
                StoppingCondition={"MaxRuntimeInSeconds": 60},
            )
        elif "TransformJobArn" in detail:
            sagemaker.create_transform_job(
                TransformJobName=str(detail["TransformJobArn"]).rsplit("/", 1)[-1],
                ModelName=detail.get("ModelName"),
                TransformInput=detail.get("TransformInput"),
                TransformOutput=detail.get("TransformOutput"),
                TransformResources=resources,
            )
        else:
            return False
    except (ParamValidationError, ClientError, TypeError, AttributeError):
        return False
    _finish_as_described(detail)
    return True


def _finish_as_described(detail: dict[str, Any]) -> None:
    """moto finishes every job at once, Completed: give it the detail's final status and failure reason."""
    backend = sagemaker_backends[OWN_ACCOUNT][REGION]
    for kind in jobs.JOB_KINDS:
        arn = detail.get(kind.arn_field)
        if isinstance(arn, str):
            job = getattr(backend, kind.resource_type.replace("-", "_") + "s")[arn.rsplit("/", 1)[-1]]
            status = detail.get(kind.status_field)
            if isinstance(status, str):
                setattr(job, f"{kind.name}_job_status", status)
            if isinstance(detail.get("FailureReason"), str):
                job.failure_reason = detail["FailureReason"]


GOOD_BUILDERS: dict[str, Callable[[str], tuple[dict[str, Any], frozenset[Edge]]]] = {
    "training": good_training,
    "processing": good_processing,
    "transform": good_transform,
}


# ------------------------------------------------------------------------------------ hostile values

ARABIC_INDIC_ZERO = 0x0660
FULLWIDTH_ZERO = 0xFF10


def other_digits(ascii_digits: str, zero: int) -> str:
    """The same number in another script's digits, which a Unicode-aware \\d accepts."""
    return "".join(chr(zero + int(digit)) for digit in ascii_digits)


HUGE = "x" * 100_000
HOSTILE_STRINGS = (
    "",
    " ",
    "\x00",
    "\n",
    "line one\r\nline two",
    "\u2028",
    "\u202eexe.txt",  # right-to-left override
    "zero\u200bwidth",
    "\ufeffbom",
    "é",
    "日本語の名前",
    "😀",
    "S3Uri",
    "TrainingImage",
    "null",
    "{}",
    "../../etc/passwd",
    "' OR 1=1 --",
    "%00%0a",
    "A" * 256,
    "A" * 2049,
    "B" * 70_000,
    HUGE,
)
HOSTILE_URIS = (
    "s3://",
    "s3:///",
    "s3://b",
    "s3://bucket",
    "s3://Bucket/Key",
    "s3://bucket/key\n",
    "s3://bucket/ключ/данные/",
    "s3://bucket/\u2028/",
    "s3://bucket/\x7f",
    "s3://bucket/\x85next-line",
    "s3://bücket/k",
    "s3://bucket/key with space/",
    "s3://bucket/😀/",
    "s3://bucket/\u202etxt.exe",
    "s3://bucket/zero\u200bwidth/",
    "s3://bucket/\x00",
    "s3://bucket/" + "k" * 2100,
    "s3://bucket/" + "é" * 2040,
    "https://bucket.s3.amazonaws.com/key",
    "http://bucket/key",
    "file:///etc/passwd",
    "s3://bucket/%2e%2e/",
    "S3://BUCKET/KEY",
    "s3:/bucket/key",
    " s3://bucket/key",
)
HOSTILE_IMAGES = (
    "repo",
    "registry.example.com:٨٠/repo:tag",  # Arabic-Indic port digits
    "ECR.example.com/Repo:Tag",
    "registry.example.com/repo:tag\n",
    "registry.example.com/repo@sha256:" + "g" * 64,
    "registry.example.com/" + "r" * 3000,
    "registry.example.com/repo:" + "t" * 129,
    "réGistry.example.com/repo",
    "registry.example.com/repo:tag\u2029",
)
# Names that break SageMaker's name pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62} one way or another.
HOSTILE_NAMES = (
    "",
    "-leading",
    "trailing-",
    "under_score",
    "dot.name",
    "a" * 64,
    "a" * 130,
    "ünïcode",
    "name with space",
    "a\nb",
    "a/b",
    "😀",
    "name\x00",
    "١٢٣",
)
NOT_STRINGS = (None, True, False, 0, -1, 2**63, 10**40, 1.5, -1e300, [], [1, "a"], {}, {"a": {"b": []}})
NOT_OBJECTS = ("text", "", 0, 12.5, True, None, [], [1, 2], ["a", {"b": "c"}])
BAD_TIMESTAMPS = (
    1e300,
    -1e300,
    10**30,
    -(10**20),
    "1e400",
    "9999-99-99",
    "2026-13-01T00:00:00Z",
    "yesterday",
    "9" * 80,
    [],
    {},
    True,
)
ODD_TIMESTAMPS = (float("inf"), float("-inf"), float("nan"), "Infinity", "NaN", "", 0, -1, "0", 1.5, None)
NON_AWS_SOURCES = (
    "com.attacker",
    "aws.sagemaker.evil",
    "AWS.SAGEMAKER",
    "aws.s3",
    "aws.sagemaker\u200b",
    " aws.sagemaker",
    "aws.sagemaker\n",
    "aws.sagemak\u0435r",  # a Cyrillic "e"
    "",
    HUGE,
)
# Well-formed detail-types no family records: ignored, with the reason, never failed.
UNHANDLED_DETAIL_TYPES = (
    "SageMaker Feature Group State Change",
    "SageMaker Training Job State Change ",
    "sagemaker training job state change",
    "SageMaker Training Job State Change\x00",
)
# Not a detail-type EventBridge can carry (1 to 128 characters): rejected.
MALFORMED_DETAIL_TYPES = ("", "x" * 129, HUGE)
MALFORMED_ACCOUNTS = (
    "12345678901",
    "1234567890123",
    other_digits(OWN_ACCOUNT, ARABIC_INDIC_ZERO),
    other_digits(OWN_ACCOUNT, FULLWIDTH_ZERO),
    "12345678901a",
    " 123456789012",
    "123456789012\n",
    "",
    "0" * 40,
)
MALFORMED_REGIONS = (
    "US-EAST-1",
    "us-east-1 ",
    "useast1",
    "",
    "us-east-" + other_digits("1", ARABIC_INDIC_ZERO),
    "us-east-1\n",
    "x" * 100,
)
STATUSES = ("Completed", "Failed", "Stopped", "InProgress", "Stopping", "completed", "", "COMPLETED")

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
hostile_strings = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=16))
hostile_values = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.sampled_from(HOSTILE_URIS),
    st.sampled_from(NOT_STRINGS).map(copy.deepcopy),
    st.sampled_from(ODD_TIMESTAMPS),
    json_values,
)
untrusted_accounts = (
    st.integers(0, 10**12 - 1)
    .map(lambda n: f"{n:012d}")
    .filter(lambda account: account not in TRUSTED_ACCOUNTS)
)
valid_model_names = st.from_regex(r"[a-zA-Z0-9]([\-a-zA-Z0-9]{0,20}[a-zA-Z0-9])?", fullmatch=True)
_MODEL_NAMES = st.one_of(valid_model_names, st.sampled_from(HOSTILE_NAMES))
_OTHER_SCRIPT_ACCOUNT = other_digits(OWN_ACCOUNT, ARABIC_INDIC_ZERO)


def _copies(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    # events are mutated in place: never hand out the constants themselves
    return st.sampled_from(values).map(copy.deepcopy)


# Built once: a strategy built inside a composite is validated and labelled again on every draw.
_BAD_ENVELOPE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "source": st.one_of(st.sampled_from(NON_AWS_SOURCES), st.text(max_size=20)).filter(
        lambda source: source != "aws.sagemaker"
    ),
    "detail-type": st.sampled_from(MALFORMED_DETAIL_TYPES),
    "account": st.sampled_from(MALFORMED_ACCOUNTS),
    "region": st.sampled_from(MALFORMED_REGIONS),
    "id": st.sampled_from(("", "i" * 257, HUGE)),
    "time": _copies(BAD_TIMESTAMPS),
}
_SHORT_TEXTS = st.one_of(
    st.sampled_from(("", " ", "\x00", "null", "NaN", "\ufeff", HUGE)), st.text(max_size=30)
)
_KEYS = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=8))
_URI_VALUES = st.one_of(st.sampled_from(HOSTILE_URIS), hostile_strings)
_IMAGE_VALUES = st.one_of(st.sampled_from(HOSTILE_IMAGES), hostile_strings)
_STATUS_VALUES = st.one_of(st.sampled_from(STATUSES), hostile_values)
_RESOURCE_LISTS = st.lists(st.one_of(hostile_strings, st.sampled_from(HOSTILE_URIS)), max_size=3)
_TAG_VALUES = st.one_of(
    st.dictionaries(hostile_strings, hostile_strings, max_size=3),
    st.lists(st.fixed_dictionaries({"Key": hostile_values, "Value": hostile_values}), max_size=3),
)
_FAILURE_REASONS = (
    "AlgorithmError: boom\n\nTraceback (most recent call last):\n  File ...",
    "ClientError: \x00\x1b[31mred\x1b[0m\r\n",
    "line\u2028separator\u2029paragraph",
    "\ud800 lone surrogate",
    "é" * 5000,
    HUGE,
)


# ----------------------------------------------------------------------------------------- helpers


_BOOLEANS = st.booleans()


@functools.cache
def _index(size: int) -> st.SearchStrategy[int]:
    return st.integers(0, size - 1)


def pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    """One of ``options`` (like sampled_from, without building a strategy on every draw), as a copy:
    events are mutated in place, the constants they are built from must not be."""
    option = options[draw(_index(len(options)))]
    return copy.deepcopy(option) if isinstance(option, list | dict) else option


def _get(value: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _set(root: Any, path: tuple[str | int, ...], new: Any) -> bool:
    """Set ``root[path] = new`` where the parent exists; False when it does not."""
    parent = _get(root, path[:-1])
    last = path[-1]
    if isinstance(parent, dict) and isinstance(last, str):
        parent[last] = new
        return True
    if isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        parent[last] = new
        return True
    return False


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path in a JSON value, containers and leaves alike (the root excluded)."""
    found: list[tuple[str | int, ...]] = []
    items: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, item in items:
        path = (*prefix, key)
        found.append(path)
        found.extend(_paths(item, path))
    return found


def _delete(root: Any, path: tuple[str | int, ...]) -> None:
    parent = _get(root, path[:-1])
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
        del parent[path[-1]]


def _base(draw: st.DrawFn, account: str | None = None) -> tuple[JobShape, dict[str, Any]]:
    shape = pick(draw, SHAPES)
    event, _ = GOOD_BUILDERS[shape.kind](account or OWN_ACCOUNT)
    return shape, event


def _body(draw: st.DrawFn, event: Any) -> str:
    return json.dumps(event, ensure_ascii=draw(_BOOLEANS))


# ---------------------------------------------------------------------------------------- records


@st.composite
def good_records(draw: st.DrawFn) -> HostileRecord:
    """A fresh, well-formed job event from the recorder's own account or a configured peer."""
    kind = pick(draw, sorted(GOOD_BUILDERS))
    event, edges = GOOD_BUILDERS[kind](OWN_ACCOUNT)
    return HostileRecord(
        _body(draw, event), Expect.GOOD, f"good {kind}", edges=edges, job=copy.deepcopy(event["detail"])
    )


@st.composite
def peer_records(draw: st.DrawFn) -> HostileRecord:
    """A good event from a configured peer: that peer's recorder records it, so it is ignored here."""
    kind = pick(draw, sorted(GOOD_BUILDERS))
    account = pick(draw, PEER_ACCOUNTS)
    event, _ = GOOD_BUILDERS[kind](account)
    return HostileRecord(_body(draw, event), Expect.IGNORED, f"{kind} from peer {account}")


@st.composite
def bad_envelopes(draw: st.DrawFn) -> HostileRecord:
    """One envelope field missing, mistyped or wrong: always a rejection naming that field."""
    _, event = _base(draw)
    how = pick(draw, ("missing", "type", "source", "detail-type", "account", "region", "id", "time"))
    if how == "missing":
        key = pick(draw, ("id", "detail-type", "source", "account", "region", "detail"))
        del event[key]
        return HostileRecord(_body(draw, event), Expect.BAD, f"no {key}", why=key)
    if how == "type":
        key = pick(draw, ("id", "detail-type", "source", "account", "region", "resources"))
        value = pick(draw, NOT_STRINGS)
        if key == "resources" and value == []:
            value = [1]  # an empty list of resources is valid
        event[key] = value
        return HostileRecord(_body(draw, event), Expect.BAD, f"{key}={value!r:.40}", why=key)
    event[how] = draw(_BAD_ENVELOPE_VALUES[how])
    return HostileRecord(_body(draw, event), Expect.BAD, f"{how}={event[how]!r:.40}", why=how)


_UNHANDLED_DETAIL_TYPE = st.one_of(
    st.sampled_from(UNHANDLED_DETAIL_TYPES), st.text(min_size=1, max_size=40)
).filter(lambda detail_type: detail_type not in FAMILY_BY_DETAIL_TYPE)


@st.composite
def unhandled_events(draw: st.DrawFn) -> HostileRecord:
    """A well-formed SageMaker event of a detail-type no family records: ignored with its reason."""
    _, event = _base(draw)
    event["detail-type"] = draw(_UNHANDLED_DETAIL_TYPE)
    return HostileRecord(_body(draw, event), Expect.IGNORED, f"detail-type={event['detail-type']!r:.40}")


@st.composite
def bad_details(draw: st.DrawFn) -> HostileRecord:
    """A detail that is not an object, a mistyped structure, or a job ARN that breaks the name pattern."""
    shape, event = _base(draw)
    detail = event["detail"]
    how = pick(draw, ("not-object", "structure", "arn", "arn-type", "nested", "tags", "time"))
    if how == "not-object":
        event["detail"] = pick(draw, NOT_OBJECTS)
        why = "detail"
    elif how == "structure":
        why = pick(draw, shape.structural)
        is_list = why in ("InputDataConfig", "ProcessingInputs")
        detail[why] = pick(draw, ("s3://bucket/key", 5, True, [[]], {"a": 1} if is_list else [1]))
    elif how == "arn":
        name = pick(draw, HOSTILE_NAMES)
        kind = pick(draw, (shape.kind, "model", "endpoint"))
        detail[shape.arn_field] = pick(
            draw,
            (
                f"arn:aws:sagemaker:{REGION}:{OWN_ACCOUNT}:{kind}-job/{name}",
                f"arn:aws:sagemaker:{REGION}:{OWN_ACCOUNT}:{kind}/{name}",
                f"arn:aws:sagemaker:{REGION}:{OWN_ACCOUNT}:{shape.kind}-job/{name}",
                # a valid name, but a partition or region that makes the ARN longer than SageMaker takes
                f"arn:aws{'-x' * 150}:sagemaker:{REGION}:{OWN_ACCOUNT}:{shape.kind}-job/x",
                f"arn:aws:sagemaker:{REGION}{'-x' * 150}:{OWN_ACCOUNT}:{shape.kind}-job/x",
                # the account in another script's digits
                f"arn:aws:sagemaker:{REGION}:{_OTHER_SCRIPT_ACCOUNT}:{shape.kind}-job/x",
                name,
            ),
        )
        event["resources"] = pick(draw, ([], [name], [detail[shape.arn_field]]))
        why = shape.arn_field
    elif how == "arn-type":
        detail[shape.arn_field] = pick(draw, (0, False, "", None, [], {}, 12, ["arn"], {"a": 1}))
        event["resources"] = []
        why = shape.arn_field
    elif how == "nested":
        # a mistyped value deep inside a structure the planner reads: the URI itself, or its container
        present = [path for path in shape.uri_paths + shape.image_paths if _get(detail, path) is not None]
        path = pick(draw, present)
        if draw(_BOOLEANS):
            _set(detail, path, pick(draw, (5, True, [1], {"a": 1})))
        else:
            _set(detail, path[:-1], pick(draw, (5, "x", [1], True)))
        why = str(path[0])
    elif how == "tags":
        detail["Tags"] = pick(draw, (5, "team=ml", [1, 2], [{"Value": "no key"}], True))
        why = "Tags"
    else:
        field = {
            "training": "CreationTime",
            "processing": "ProcessingStartTime",
            "transform": "TransformEndTime",
        }[shape.kind]
        detail[field] = pick(draw, BAD_TIMESTAMPS)
        why = field
    return HostileRecord(_body(draw, event), Expect.BAD, f"{shape.kind}: {how} ({why})", why=why)


@st.composite
def untrusted_records(draw: st.DrawFn) -> HostileRecord:
    """A well-formed event from an account that is neither the recorder's own nor a configured peer."""
    account = draw(untrusted_accounts)
    _, event = _base(draw, account)  # its job ARN names the recorder's own account: the envelope decides
    return HostileRecord(_body(draw, event), Expect.BAD, f"untrusted account {account}", why="not trusted")


@st.composite
def not_objects(draw: st.DrawFn) -> HostileRecord:
    """JSON that is not an object, or text that is not JSON at all."""
    _, event = _base(draw)
    text = json.dumps(event)
    how = pick(draw, ("value", "array-of-events", "truncated", "garbage", "text", "deep"))
    if how == "value":
        body = json.dumps(pick(draw, NOT_OBJECTS))
    elif how == "array-of-events":
        body = json.dumps([event, event])
    elif how == "truncated":
        body = text[: draw(_index(10_001)) * (len(text) - 1) // 10_000]
    elif how == "garbage":
        body = pick(draw, (text + "}", text + " trailing", "{'source': 'aws.sagemaker'}", "{not json"))
    elif how == "text":
        # no text this short can be a whole event, even when it is a JSON object
        body = draw(_SHORT_TEXTS)
    else:
        depth = pick(draw, (300, 5000))
        body = "[" * depth + "]" * depth
    return HostileRecord(body, Expect.BAD, f"not an object: {how}", why="")


@st.composite
def hostile_uri_records(draw: st.DrawFn) -> HostileRecord:
    """A good event whose every URI and image is hostile: each must be written verbatim, or skipped."""
    shape, event = _base(draw, pick(draw, TRUSTED_ACCOUNTS))
    detail = event["detail"]
    if shape is TRAINING:
        detail["CheckpointConfig"], detail["ModelArtifacts"] = {"S3Uri": None}, {"S3ModelArtifacts": None}
    for path in shape.uri_paths:
        _set(detail, path, pick(draw, HOSTILE_URIS))
    for path in shape.image_paths:
        _set(detail, path, pick(draw, HOSTILE_IMAGES + HOSTILE_URIS))
    # SageMaker holds the job with those values where its request model accepts them.
    return HostileRecord(
        _body(draw, event), Expect.ANY, f"{shape.kind}: hostile URIs", job=copy.deepcopy(detail)
    )


def _mutate_once(draw: st.DrawFn, shape: JobShape, event: dict[str, Any]) -> str:
    how = pick(
        draw, ("replace", "delete", "insert", "uri", "image", "status", "failure", "resources", "tags")
    )
    detail = event.get("detail")
    if how == "replace":
        path = pick(draw, _paths(event))
        _set(event, path, draw(hostile_values))
        return f"replace {path}"
    if how == "delete":
        path = pick(draw, _paths(event))
        _delete(event, path)
        return f"delete {path}"
    if how == "insert":
        containers = [()] + [path for path in _paths(event) if isinstance(_get(event, path), dict)]
        path = pick(draw, containers)
        target = _get(event, path) if path else event
        key = draw(_KEYS)
        if isinstance(target, dict):
            target[key] = draw(hostile_values)
        return f"insert {path}"
    if not isinstance(detail, dict):
        return "no detail"
    if how == "uri":
        path = pick(draw, shape.uri_paths)
        _set(detail, path, draw(_URI_VALUES))
        return f"uri {path}"
    if how == "image" and shape.image_paths:
        path = pick(draw, shape.image_paths)
        _set(detail, path, draw(_IMAGE_VALUES))
        return f"image {path}"
    if how == "status":
        detail[shape.status_field] = draw(_STATUS_VALUES)
        return "status"
    if how == "failure":
        detail["FailureReason"] = pick(draw, _FAILURE_REASONS)
        detail[shape.status_field] = "Failed"
        return "failure reason"
    if how == "resources":
        event["resources"] = draw(_RESOURCE_LISTS)
        return "resources"
    if how == "tags":
        detail["Tags"] = draw(_TAG_VALUES)
        return "tags"
    return "nothing"


@st.composite
def mutated_records(draw: st.DrawFn) -> HostileRecord:
    """A good event with one to three hostile changes anywhere: any outcome, as long as it is a clean one."""
    shape, event = _base(draw, pick(draw, TRUSTED_ACCOUNTS))
    if shape is TRANSFORM and draw(_BOOLEANS):
        event["detail"]["ModelName"] = draw(_MODEL_NAMES)
    changes = [_mutate_once(draw, shape, event) for _ in range(draw(st.integers(1, 3)))]
    body = _body(draw, event)
    framing = pick(draw, ("plain", "plain", "plain", "bom", "duplicate-key", "whitespace"))
    if framing == "bom":
        body = "\ufeff" + body
    elif framing == "duplicate-key" and body.startswith("{"):
        body = '{"source": "com.attacker", ' + body[1:]
    elif framing == "whitespace":
        body = "\n\t " + body + " \n"
    return HostileRecord(body, Expect.ANY, f"{shape.kind}: {', '.join(changes)} ({framing})")


def _sometimes(draw: st.DrawFn, valid: Any, hostile: st.SearchStrategy[Any]) -> tuple[bool, Any]:
    """Mostly the valid value, sometimes a hostile one, now and then nothing (False: leave it out)."""
    roll = draw(_index(10))
    if roll == 0:
        return False, None
    return True, (draw(hostile) if roll <= 2 else valid)  # 20% hostile


_ANY_SCALAR = _copies(NOT_STRINGS + HOSTILE_STRINGS)
_RANDOM_DETAIL = {
    "arn": st.sampled_from(HOSTILE_STRINGS + HOSTILE_NAMES),
    "status": _copies(STATUSES + NOT_STRINGS),
    "failure": st.sampled_from(HOSTILE_STRINGS),
    "uri": _copies(HOSTILE_URIS + HOSTILE_IMAGES + NOT_STRINGS),
}
_RANDOM_ENVELOPE = {
    "version": _ANY_SCALAR,
    "id": _copies(("", "i" * 257, *NOT_STRINGS)),
    "detail-type": st.sampled_from(UNHANDLED_DETAIL_TYPES + MALFORMED_DETAIL_TYPES),
    "source": st.sampled_from(NON_AWS_SOURCES),
    "account": st.one_of(untrusted_accounts, st.sampled_from(MALFORMED_ACCOUNTS)),
    "time": _copies(ODD_TIMESTAMPS + BAD_TIMESTAMPS),
    "region": st.sampled_from(MALFORMED_REGIONS),
    "resources": _copies(([], [""], ["x"], [1], HOSTILE_STRINGS[:4], "arn")),
    "detail": _copies(NOT_OBJECTS),
}


@st.composite
def random_events(draw: st.DrawFn) -> HostileRecord:
    """An event generated from nothing: each field valid, hostile or absent."""
    shape = pick(draw, SHAPES)
    name = _unique("random")
    arn = job_arn(shape.kind, name)
    detail: dict[str, Any] = {}
    for key, valid, hostile in (
        (shape.arn_field, arn, _RANDOM_DETAIL["arn"]),
        (shape.status_field, "Completed", _RANDOM_DETAIL["status"]),
        ("FailureReason", None, _RANDOM_DETAIL["failure"]),
        ("Tags", {"k": "v"}, _ANY_SCALAR),
    ):
        present, value = _sometimes(draw, valid, hostile)
        if present and value is not None:
            detail[key] = value
    paths = shape.uri_paths + shape.image_paths
    for index in sorted({draw(_index(len(paths))) for _ in range(draw(_index(4)))}):
        valid = (
            f"s3://fuzz-random/{name}/{index}/"
            if paths[index] in shape.uri_paths
            else _IMAGE_REGISTRY + "/r:1"
        )
        present, value = _sometimes(draw, valid, _RANDOM_DETAIL["uri"])
        for part in reversed(paths[index]):
            value = [value] if isinstance(part, int) else {part: value}
        if present:
            detail.setdefault(paths[index][0], value[paths[index][0]])
    if draw(_BOOLEANS):
        detail[pick(draw, HOSTILE_STRINGS)] = draw(_ANY_SCALAR)
    event: dict[str, Any] = {}
    valid_envelope = {
        "version": "0",
        "id": f"id-{name}",
        "detail-type": shape.detail_type,
        "source": "aws.sagemaker",
        "account": pick(draw, TRUSTED_ACCOUNTS),
        "time": "2026-11-21T10:00:00Z",
        "region": REGION,
        "resources": [arn],
        "detail": detail,
    }
    for key, valid in valid_envelope.items():
        present, value = _sometimes(draw, valid, _RANDOM_ENVELOPE[key])
        if present:
            event[key] = value
    return HostileRecord(_body(draw, event), Expect.ANY, f"random {shape.kind} event")


def recorded_edges(sagemaker: Any) -> frozenset[Edge]:
    """The graph's edges as (type, SourceUri) pairs, like tests/support/graph.py's, in a few big pages.

    Enough for job events (artifacts, and as job nodes SageMaker's trial components or the recorder's
    actions: no contexts), and cheap enough to read after every batch.
    """
    nodes: dict[str, Node] = {}
    for operation, key, arn_key, type_key in (
        ("list_artifacts", "ArtifactSummaries", "ArtifactArn", "ArtifactType"),
        ("list_actions", "ActionSummaries", "ActionArn", "ActionType"),
    ):
        for page in sagemaker.get_paginator(operation).paginate(PaginationConfig={"PageSize": 100}):
            for summary in page[key]:
                nodes[summary[arn_key]] = (summary[type_key], summary["Source"]["SourceUri"])
    node_types = {kind.trial_component_source_type: kind.node_type for kind in jobs.JOB_KINDS}
    for page in sagemaker.get_paginator("list_trial_components").paginate(PaginationConfig={"PageSize": 100}):
        for summary in page["TrialComponentSummaries"]:
            source = summary.get("TrialComponentSource") or {}
            if source.get("SourceType") in node_types:
                nodes[summary["TrialComponentArn"]] = (node_types[source["SourceType"]], source["SourceArn"])
    edges: set[Edge] = set()
    for page in sagemaker.get_paginator("list_associations").paginate(PaginationConfig={"PageSize": 100}):
        for association in page["AssociationSummaries"]:
            source, destination = association["SourceArn"], association["DestinationArn"]
            if source in nodes and destination in nodes:
                edges.add((nodes[source], nodes[destination], association.get("AssociationType", "")))
    return frozenset(edges)


@dataclass(frozen=True)
class Mix:
    """How many of each kind of record one batch holds (goods are added on top)."""

    bad_envelopes: int
    bad_details: int
    untrusted: int
    not_objects: int
    mutated: int
    random: int
    hostile_uris: int
    unhandled: int = 0
    peers: int = 0

    @property
    def size(self) -> int:
        return sum(self.__dict__.values())


@st.composite
def batches(draw: st.DrawFn, mix: Mix, goods: tuple[int, int] = (1, 2)) -> list[HostileRecord]:
    """One SQS batch: the mix of hostile records, with a few good ones at drawn positions."""
    records: list[HostileRecord] = []
    for strategy, count in (
        (bad_envelopes(), mix.bad_envelopes),
        (bad_details(), mix.bad_details),
        (untrusted_records(), mix.untrusted),
        (not_objects(), mix.not_objects),
        (mutated_records(), mix.mutated),
        (random_events(), mix.random),
        (hostile_uri_records(), mix.hostile_uris),
        (unhandled_events(), mix.unhandled),
        (peer_records(), mix.peers),
    ):
        records.extend(draw(strategy) for _ in range(count))
    records = draw(st.permutations(records)) if draw(_BOOLEANS) else records
    for good in draw(st.lists(good_records(), min_size=goods[0], max_size=goods[1])):
        records.insert(draw(st.integers(0, len(records))), good)
    return records

"""Fixtures that run the same contract suite against three SageMakers.

Every test that asks for ``backend`` (directly or through ``sagemaker`` / ``lineage``) runs three times:

- ``in_process``: the emulator grafted onto moto, inside ``moto.mock_aws()``;
- ``server``: the emulator as an HTTP server (``EmulatorServer`` on 127.0.0.1, a free port), reached
  with ``endpoint_url``; its state is reset before every test with ``POST /moto-api/reset``;
- ``real_aws``: real SageMaker, only when ``LINEAGE_TEST_REAL_AWS=1`` and credentials are present.
  Otherwise the parametrisation is skipped and the reason is printed (pytest ``-ra``).

The emulator modes run with fake credentials, no AWS config files, and a socket guard that refuses any
connection (and any name lookup) that is not loopback, so no test can reach the network.

Markers:
- ``emulator_only(reason)``: the behaviour is the emulator's own (a configured quota, fault injection,
  the trial-component switch, reset); skipped against real SageMaker with that reason.
- ``in_process_only(reason)``: too slow over HTTP to be worth running in server mode too.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
import sagemaker_lineage_emulator
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from sagemaker_lineage_emulator.server import EmulatorServer

MODES = ("in_process", "server", "real_aws")
REAL_AWS_SWITCH = "LINEAGE_TEST_REAL_AWS"
PEER_ROLE_VARIABLE = "LINEAGE_TEST_PEER_ROLE_ARN"
EMULATOR_REGION = "us-east-1"
EMULATOR_ACCOUNT = "123456789012"
PEER_ACCOUNT = "222222222222"
# One attempt: the first error is the one a test must see ("max_attempts" in botocore's legacy
# configuration counts retries, not attempts, so it is total_max_attempts that must be 1).
FIRST_ERROR = {"mode": "standard", "total_max_attempts": 1}

# Job names in the real account whose trial components the job tests may read (they never create jobs).
REAL_JOB_VARIABLES = {
    "training": "LINEAGE_TEST_TRAINING_JOB_NAME",
    "processing": "LINEAGE_TEST_PROCESSING_JOB_NAME",
    "transform": "LINEAGE_TEST_TRANSFORM_JOB_NAME",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "emulator_only(reason): an emulator-specific behaviour; skipped against real SageMaker",
    )
    config.addinivalue_line("markers", "in_process_only(reason): runs in the in-process emulator mode only")


# --------------------------------------------------------------------------- isolation
_AWS_VARIABLES_TO_DROP = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_ENDPOINT_URL_STS",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "MOTO_ACCOUNT_ID",  # overrides every account switch, which the multi-account tests rely on
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def _isolate_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in _AWS_VARIABLES_TO_DROP:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("LINEAGE_EMULATOR_"):
            monkeypatch.delenv(name)  # the emulator's defaults are part of what is tested
    missing = tmp_path_factory.getbasetemp() / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(missing))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(missing))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", EMULATOR_REGION)
    monkeypatch.setenv("AWS_REGION", EMULATOR_REGION)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _is_loopback(host: Any) -> bool:
    return isinstance(host, str) and (host in ("localhost", "::1") or host.startswith("127."))


def _allow_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve or connect to a non-loopback address fails the test loudly."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise AssertionError(f"contract tests must not reach the network (tried {address!r})")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(host):
            raise AssertionError(f"contract tests must not resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _real_aws_unavailable() -> str | None:
    if os.environ.get(REAL_AWS_SWITCH) != "1":
        return f"real AWS: set {REAL_AWS_SWITCH}=1 (with AWS credentials) to run against real SageMaker"
    if boto3.Session().get_credentials() is None:
        return f"real AWS: {REAL_AWS_SWITCH}=1 but no AWS credentials were found"
    return None


# ----------------------------------------------------------------------------- backends
_SESSIONS: dict[str, boto3.Session] = {}
_CLIENTS: dict[tuple[Any, ...], Any] = {}


def _shared_session(kind: str) -> boto3.Session:
    """One boto3 session per kind of backend for the whole run.

    A session caches the service models it loads; creating clients from fresh sessions would parse
    SageMaker's multi-megabyte model again for every test. The emulator session is created once the
    fake credentials are in the environment, so it only ever holds those.
    """
    if kind not in _SESSIONS:
        _SESSIONS[kind] = boto3.Session()
    return _SESSIONS[kind]


@dataclass
class Backend:
    """One SageMaker to test against, and how to make clients for it."""

    mode: str
    region: str
    session: boto3.Session
    endpoint_url: str | None = None
    reset_state: Callable[[], None] | None = None

    @property
    def is_emulator(self) -> bool:
        return self.mode != "real_aws"

    def client(
        self,
        service: str = "sagemaker",
        *,
        region: str | None = None,
        retries: dict[str, Any] | None = None,
        credentials: dict[str, str] | None = None,
        validate: bool = True,
    ) -> Any:
        keys: dict[str, str] = {}
        if credentials is not None:
            keys = {
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"],
            }
        retries = retries or FIRST_ERROR
        # Clients are cached for the run: building one for SageMaker's ~380 operations costs ~25 ms.
        key = (
            id(self.session),
            service,
            region or self.region,
            self.endpoint_url,
            repr(retries),
            validate,
            repr(keys),
        )
        if key not in _CLIENTS:
            _CLIENTS[key] = self.session.client(
                service,
                region_name=region or self.region,
                endpoint_url=self.endpoint_url,
                config=Config(retries=retries, parameter_validation=validate),
                **keys,
            )
        return _CLIENTS[key]

    def peer_credentials(self) -> dict[str, str]:
        """Credentials that act in a second account (moto: 222222222222, via sts.assume_role)."""
        if self.is_emulator:
            role = f"arn:aws:iam::{PEER_ACCOUNT}:role/lineage-contract-peer"
        else:
            role = os.environ.get(PEER_ROLE_VARIABLE, "")
            if not role:
                pytest.skip(f"real AWS: set {PEER_ROLE_VARIABLE} to a role in a second account")
        answer = self.client("sts").assume_role(RoleArn=role, RoleSessionName="lineage-contract")
        return dict(answer["Credentials"])

    def account_id(self, credentials: dict[str, str] | None = None) -> str:
        return str(self.client("sts", credentials=credentials).get_caller_identity()["Account"])

    def reset(self) -> None:
        if self.reset_state is None:
            pytest.skip("real AWS state cannot be reset")
        self.reset_state()


def _post_reset(url: str) -> None:
    request = urllib.request.Request(url + "/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = EmulatorServer(host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=MODES)
def backend(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Backend]:
    mode: str = request.param
    emulator_only = request.node.get_closest_marker("emulator_only")
    in_process_only = request.node.get_closest_marker("in_process_only")
    if mode == "real_aws":
        if emulator_only is not None:
            pytest.skip(f"emulator-only: {emulator_only.args[0]}")
        if in_process_only is not None:
            pytest.skip(f"in-process only: {in_process_only.args[0]}")
        unavailable = _real_aws_unavailable()
        if unavailable:
            pytest.skip(unavailable)
        session = _shared_session("real_aws")
        yield Backend(mode, region=session.region_name or EMULATOR_REGION, session=session)
        return
    if mode == "server" and in_process_only is not None:
        pytest.skip(f"in-process only: {in_process_only.args[0]}")

    _isolate_environment(monkeypatch, tmp_path_factory)
    _allow_loopback_only(monkeypatch)
    sagemaker_lineage_emulator.install()
    sagemaker_lineage_emulator.reset()
    try:
        if mode == "in_process":
            mock = mock_aws()
            mock.start()

            def restart() -> None:
                # Leaving mock_aws() resets every backend; entering again starts from nothing.
                mock.stop()
                mock.start()

            try:
                yield Backend(
                    mode, region=EMULATOR_REGION, session=_shared_session("emulator"), reset_state=restart
                )
            finally:
                mock.stop()
        else:
            server: EmulatorServer = request.getfixturevalue("emulator_server")
            _post_reset(server.url)
            yield Backend(
                mode,
                region=EMULATOR_REGION,
                session=_shared_session("emulator"),
                endpoint_url=server.url,
                reset_state=lambda: _post_reset(server.url),
            )
    finally:
        sagemaker_lineage_emulator.reset()


@pytest.fixture
def sagemaker(backend: Backend) -> Any:
    """A SageMaker client that makes exactly one attempt per call."""
    return backend.client("sagemaker")


@pytest.fixture
def unvalidated_sagemaker(backend: Backend) -> Any:
    """A client without botocore's own parameter checks, so the service's validation is what is tested."""
    return backend.client("sagemaker", validate=False)


@pytest.fixture
def emulator(backend: Backend) -> Any:
    """The emulator's settings module; every test leaves with the defaults restored."""
    assert backend.is_emulator, "use the emulator_only marker on tests that configure the emulator"
    yield sagemaker_lineage_emulator
    sagemaker_lineage_emulator.reset()


# ------------------------------------------------------------------------------ errors
@pytest.fixture
def raises_aws() -> Callable[..., Any]:
    """``with raises_aws("ResourceNotFound", "does not exist"):`` asserts the service's error code."""

    @contextlib.contextmanager
    def expect(code: str, message_contains: str | None = None) -> Iterator[pytest.ExceptionInfo[ClientError]]:
        with pytest.raises(ClientError) as caught:
            yield caught
        error = caught.value.response["Error"]
        assert error["Code"] == code, f"expected {code}, got {error}"
        if message_contains is not None:
            assert message_contains.lower() in error.get("Message", "").lower(), error

    return expect


# ----------------------------------------------------------------------------- lineage
KIND_PREFIX = {"artifact": "Artifact", "action": "Action", "context": "Context"}


@dataclass
class Lineage:
    """Creates uniquely named lineage entities for one test, and (on real AWS) deletes them after."""

    sm: Any
    uid: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    created: list[tuple[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    def name(self, stem: str = "e") -> str:
        return f"ct-{self.uid}-{stem}-{next(self._counter)}"

    def uri(self, stem: str = "data") -> str:
        return f"s3://lineage-contract-{self.uid}/{stem}/{next(self._counter)}"

    def unique_type(self, stem: str) -> str:
        """A type string no other test (or pre-existing entity) uses, to scope list filters."""
        return f"{stem}{self.uid}"

    def create(
        self,
        kind: str,
        entity_type: str,
        *,
        name: str | None = None,
        uri: str | None = None,
        source: dict[str, Any] | None = None,
        **extra: Any,
    ) -> str:
        prefix = KIND_PREFIX[kind]
        request: dict[str, Any] = {
            f"{prefix}Type": entity_type,
            "Source": source or {"SourceUri": uri or self.uri(kind)},
            **extra,
        }
        if kind != "artifact" or name is not None:
            request[f"{prefix}Name"] = name or self.name(kind)
        arn = str(getattr(self.sm, f"create_{kind}")(**request)[f"{prefix}Arn"])
        return self.track(kind, arn, request.get(f"{prefix}Name"))

    def track(self, kind: str, arn: str, name: str | None = None) -> str:
        """Remember an entity created outside :meth:`create`, so that cleanup deletes it too."""
        self.created.append((kind, arn))
        if name is not None:
            self.names[arn] = name
        return arn

    def artifact(self, artifact_type: str = "DataSet", **kwargs: Any) -> str:
        return self.create("artifact", artifact_type, **kwargs)

    def action(self, action_type: str = "ModelDeployment", **kwargs: Any) -> str:
        return self.create("action", action_type, **kwargs)

    def context(self, context_type: str = "Endpoint", **kwargs: Any) -> str:
        return self.create("context", context_type, **kwargs)

    def associate(
        self, source: str, destination: str, association_type: str | None = "ContributedTo"
    ) -> None:
        request = {"SourceArn": source, "DestinationArn": destination}
        if association_type is not None:
            request["AssociationType"] = association_type
        self.sm.add_association(**request)

    def describe(self, kind: str, arn: str) -> dict[str, Any]:
        """Describe by ARN (DescribeAction and DescribeContext accept a name or an ARN)."""
        key = "ArtifactArn" if kind == "artifact" else f"{KIND_PREFIX[kind]}Name"
        return dict(getattr(self.sm, f"describe_{kind}")(**{key: arn}))

    def delete(self, kind: str, arn: str) -> dict[str, Any]:
        """Delete by ARN (artifacts) or by name (DeleteAction and DeleteContext take a name only)."""
        if kind == "artifact":
            return dict(self.sm.delete_artifact(ArtifactArn=arn))
        name = self.names.get(arn) or arn.rsplit("/", 1)[-1]
        return dict(getattr(self.sm, f"delete_{kind}")(**{f"{KIND_PREFIX[kind]}Name": name}))

    def cleanup(self) -> None:
        """Best effort: drop every association touching what this test created, then the entities."""
        for kind, arn in reversed(self.created):
            with contextlib.suppress(ClientError):
                for side in ("SourceArn", "DestinationArn"):
                    for page in self.sm.get_paginator("list_associations").paginate(**{side: arn}):
                        for summary in page["AssociationSummaries"]:
                            with contextlib.suppress(ClientError):
                                self.sm.delete_association(
                                    SourceArn=summary["SourceArn"], DestinationArn=summary["DestinationArn"]
                                )
            with contextlib.suppress(ClientError):
                self.delete(kind, arn)


@pytest.fixture
def lineage(backend: Backend, sagemaker: Any) -> Iterator[Lineage]:
    helper = Lineage(sagemaker)
    yield helper
    if not backend.is_emulator:
        helper.cleanup()


@pytest.fixture
def account(backend: Backend) -> str:
    """The caller's account id."""
    return backend.account_id()


@pytest.fixture
def missing_entity(backend: Backend, account: str, lineage: Lineage) -> Callable[[str], dict[str, str]]:
    """The identifying request parameter of an artifact, action or context that does not exist."""

    def identify(kind: str) -> dict[str, str]:
        if kind == "artifact":
            return {"ArtifactArn": f"arn:aws:sagemaker:{backend.region}:{account}:artifact/{'0' * 32}"}
        return {f"{KIND_PREFIX[kind]}Name": lineage.name(f"missing-{kind}")}

    return identify


@pytest.fixture
def peer(backend: Backend) -> Iterator[Lineage]:
    """A Lineage helper acting in a second account."""
    helper = Lineage(backend.client("sagemaker", credentials=backend.peer_credentials()))
    yield helper
    if not backend.is_emulator:
        helper.cleanup()


# --------------------------------------------------------------------------------- jobs
_ROLE = f"arn:aws:iam::{EMULATOR_ACCOUNT}:role/lineage-contract"
_IMAGE = f"{EMULATOR_ACCOUNT}.dkr.ecr.{EMULATOR_REGION}.amazonaws.com/contract:1"


@dataclass
class Jobs:
    """Training, processing and transform jobs: created in the emulator, read from env on real AWS."""

    backend: Backend
    sm: Any
    uid: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def create(self, kind: str) -> str:
        """Return the name of a job of ``kind`` (training, processing, transform)."""
        if not self.backend.is_emulator:
            variable = REAL_JOB_VARIABLES[kind]
            name = os.environ.get(variable)
            if not name:
                pytest.skip(
                    f"real AWS: set {variable} to an existing {kind} job (the suite never starts jobs)"
                )
            return name
        name = f"ct-{self.uid}-{kind}"
        getattr(self, f"_create_{kind}")(name)
        return name

    def arn(self, kind: str, name: str) -> str:
        key = {"training": "TrainingJob", "processing": "ProcessingJob", "transform": "TransformJob"}[kind]
        return str(getattr(self.sm, f"describe_{kind}_job")(**{f"{key}Name": name})[f"{key}Arn"])

    def _create_training(self, name: str) -> None:
        self.sm.create_training_job(
            TrainingJobName=name,
            AlgorithmSpecification={"TrainingImage": _IMAGE, "TrainingInputMode": "File"},
            RoleArn=_ROLE,
            InputDataConfig=[
                {
                    "ChannelName": "train",
                    "DataSource": {
                        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://contract/train"}
                    },
                }
            ],
            OutputDataConfig={"S3OutputPath": "s3://contract/output"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
            StoppingCondition={"MaxRuntimeInSeconds": 60},
        )

    def _create_processing(self, name: str) -> None:
        self.sm.create_processing_job(
            ProcessingJobName=name,
            RoleArn=_ROLE,
            AppSpecification={"ImageUri": _IMAGE},
            ProcessingResources={
                "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 1}
            },
        )

    def _create_transform(self, name: str) -> None:
        model = f"{name}-model"
        self.sm.create_model(ModelName=model, ExecutionRoleArn=_ROLE, PrimaryContainer={"Image": _IMAGE})
        self.sm.create_transform_job(
            TransformJobName=name,
            ModelName=model,
            TransformInput={
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://contract/in"}}
            },
            TransformOutput={"S3OutputPath": "s3://contract/out"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )


@pytest.fixture
def jobs(backend: Backend, sagemaker: Any) -> Jobs:
    return Jobs(backend, sagemaker)

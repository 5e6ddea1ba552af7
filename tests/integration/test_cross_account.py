"""Cross-account lineage against the emulator's multi-account state.

Each account has its own SageMaker client (credentials from ``sts.assume_role`` act on that account, as
moto does). The peer role itself is a fake STS in front of moto's: it remembers which roles exist and
who asked for what, so a missing role and an unconfigured account can be checked without mocks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from lineage_recorder.composition import build_linker
from lineage_recorder.peers.directory import PeerDirectory, boto3_client_factory, role_arn
from lineage_recorder.peers.keys import is_linkable, peers_to_ask
from lineage_recorder.peers.linker import PeerLinker
from lineage_recorder.plan import EntityKey, EntityKind
from lineage_recorder.recorder import Recorder, RecordOutcome, parse_event
from lineage_recorder.settings import RecorderSettings
from lineage_recorder.state import in_memory_state
from lineage_recorder.state.pending_links import MemoryPendingLinks, PendingLinks, TablePendingLinks
from lineage_recorder.state.table import StateTable

from tests.integration.jobs import training_job
from tests.support.events import REGION
from tests.support.recording import recorder_for
from tests.support.state_table import create_state_table

DEV = "123456789012"  # moto's default account
PROD = "111111111111"
REGISTRY = "222222222222"
OUTSIDER = "333333333333"  # never configured as a peer
PEER_ROLE = "SageMakerLineagePeerReader"

SHARED_DATA = "s3://shared-features/churn/train/"
SHARED_MODEL = "s3://shared-models/churn/model.tar.gz"
SHARED_IMAGE = f"{REGISTRY}.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeSts:
    """STS as the recorder's function role sees it: AssumeRole succeeds only onto roles that exist."""

    real: Any
    existing_roles: set[str] = field(default_factory=set)
    failure_code: str = "AccessDenied"
    asked: list[str] = field(default_factory=list)
    account_by_key: dict[str, str] = field(default_factory=dict)

    def assume_role(self, *, RoleArn: str, RoleSessionName: str, DurationSeconds: int) -> dict[str, Any]:  # noqa: N803
        self.asked.append(RoleArn)
        if RoleArn not in self.existing_roles:
            raise ClientError(
                {"Error": {"Code": self.failure_code, "Message": f"not authorized to assume {RoleArn}"}},
                "AssumeRole",
            )
        response: dict[str, Any] = self.real.assume_role(
            RoleArn=RoleArn, RoleSessionName=RoleSessionName, DurationSeconds=DurationSeconds
        )
        self.account_by_key[response["Credentials"]["AccessKeyId"]] = RoleArn.split(":")[4]
        return response

    def accounts_asked(self) -> set[str]:
        return {arn.split(":")[4] for arn in self.asked}


@dataclass
class World:
    """Several accounts on one emulator, each with the peer reader role deployed or not."""

    sts: FakeSts
    clock: Clock
    sagemaker_calls: Counter[str] = field(default_factory=Counter)

    def sagemaker(self, account: str) -> Any:
        return sagemaker_in(account)

    def deploy_peer_role(self, account: str) -> None:
        self.sts.existing_roles.add(role_arn(account, PEER_ROLE))

    def _peer_client(self, credentials: dict[str, str]) -> Any:
        client = boto3_client_factory()(credentials)
        account = self.sts.account_by_key[credentials["AccessKeyId"]]

        def count(**_: Any) -> None:
            self.sagemaker_calls[account] += 1

        client.meta.events.register("before-call.sagemaker.*", count)
        return client

    def recorder(
        self, account: str, peers: set[str], pending: PendingLinks | None = None, sagemaker: Any = None
    ) -> Recorder:
        sagemaker = sagemaker if sagemaker is not None else self.sagemaker(account)
        directory = PeerDirectory(
            own_account=account,
            peer_accounts=frozenset(peers),
            role_name=PEER_ROLE,
            sts=self.sts,
            client_factory=self._peer_client,
            clock=self.clock,
        )
        linker = PeerLinker(directory, pending or MemoryPendingLinks(), clock=self.clock)
        return recorder_for(sagemaker, linker=linker)


@pytest.fixture
def world(emulator: None) -> World:
    return World(sts=FakeSts(boto3.client("sts")), clock=Clock())


def sagemaker_in(account: str) -> Any:
    """A SageMaker client acting in `account` (moto's default account, or through an assumed role)."""
    if account == DEV:
        return boto3.client("sagemaker")
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/Admin", RoleSessionName="test"
    )["Credentials"]
    return boto3.client(
        "sagemaker",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def training(account: str, name: str, *, inputs: list[str], model: str, image: str = SHARED_IMAGE) -> Any:
    """A finished training job in `account`, and its event."""
    return parse_event(
        training_job(
            sagemaker_in(account), name, inputs=inputs, output="s3://unused/", image=image, model=model
        )
    )


def same_as(sagemaker: Any) -> set[tuple[str, str]]:
    summaries = sagemaker.list_associations(AssociationType="SameAs", MaxResults=100)["AssociationSummaries"]
    return {(s["SourceArn"], s["DestinationArn"]) for s in summaries}


def arn_of(sagemaker: Any, source_uri: str) -> str:
    return str(sagemaker.list_artifacts(SourceUri=source_uri)["ArtifactSummaries"][0]["ArtifactArn"])


def record_dev_and_prod(world: World, order: tuple[str, str]) -> dict[str, RecordOutcome]:
    events = {
        DEV: training(DEV, "dev-train", inputs=[SHARED_DATA, "s3://dev-only/raw/"], model=SHARED_MODEL),
        PROD: training(PROD, "prod-retrain", inputs=[SHARED_DATA], model="s3://prod-only/model.tar.gz"),
    }
    recorders = {DEV: world.recorder(DEV, {PROD}), PROD: world.recorder(PROD, {DEV})}
    return {account: recorders[account].record(events[account]) for account in order}


# ------------------------------------------------------------------------------------------ linking
@pytest.mark.parametrize("order", [(DEV, PROD), (PROD, DEV)], ids=["dev-first", "prod-first"])
def test_twins_are_linked_once_whichever_account_records_second(world: World, order: tuple[str, str]) -> None:
    # Given dev and prod whose recorders name each other as peers, with the reader role in both
    world.deploy_peer_role(DEV)
    world.deploy_peer_role(PROD)
    # When each records a training job that reads the same S3 data with the same ECR image, in either order
    outcomes = record_dev_and_prod(world, order)
    # Then the account that recorded second linked each shared key to its twin, and the first linked nothing
    first, second = order
    dev, prod = world.sagemaker(DEV), world.sagemaker(PROD)
    local, peer = (prod, dev) if second == PROD else (dev, prod)
    expected = {(arn_of(local, uri), arn_of(peer, uri)) for uri in (SHARED_DATA, SHARED_IMAGE)}
    assert outcomes[first].links_created == []
    assert set(outcomes[second].links_created) == expected
    assert same_as(local) == expected
    assert same_as(peer) == set()
    # And keys only one account has, and the job nodes, are not linked
    assert all(SHARED_MODEL not in pair and "prod-only" not in str(pair) for pair in expected)


class ThrottledSameAs:
    """Answers the `nth` SameAs AddAssociation of a client with ThrottlingException, as SageMaker does when
    throttling outlasts the retries; every other call goes through."""

    def __init__(self, client: Any, nth: int) -> None:
        self.seen = 0
        self.nth = nth
        client.meta.events.register("before-call.sagemaker.AddAssociation", self._before_call)

    def _before_call(self, params: dict[str, Any], **_: Any) -> Any:
        # `params` is the serialised request here: the JSON body carries the association type.
        if b'"SameAs"' not in bytes(params.get("body") or b""):
            return None
        self.seen += 1
        if self.seen != self.nth:
            return None
        error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
        return type("Throttled", (), {"status_code": 400, "headers": {}})(), error


def test_one_link_that_cannot_be_written_does_not_hold_back_the_others(world: World) -> None:
    # Given dev recorded the shared data and image, and prod's SageMaker throttles its second SameAs write
    world.deploy_peer_role(DEV)
    world.recorder(DEV, set()).record(training(DEV, "dev-train", inputs=[SHARED_DATA], model=SHARED_MODEL))
    prod_sagemaker = world.sagemaker(PROD)
    ThrottledSameAs(prod_sagemaker, nth=2)
    pending = MemoryPendingLinks()
    prod = world.recorder(PROD, {DEV}, pending, sagemaker=prod_sagemaker)
    # When prod records a job that uses them
    outcome = prod.record(training(PROD, "prod-train", inputs=[SHARED_DATA], model=SHARED_MODEL))
    # Then the links that could be written are, and only the throttled one waits for a retry
    assert (len(outcome.links_created), outcome.links_deferred) == (2, 1)
    assert len(same_as(prod_sagemaker)) == 2
    (waiting,) = pending.all()
    assert "ThrottlingException" in waiting.reason
    # And the retry, after its pause, makes it: three links, each once
    world.clock.now += 120
    later = prod.record(training(PROD, "prod-next", inputs=["s3://prod-only/z/"], model="s3://prod-only/o"))
    assert (later.links_retried, len(later.links_created)) == (1, 1)
    assert len(same_as(prod_sagemaker)) == 3
    assert pending.all() == []


def test_replaying_in_both_accounts_adds_no_link(world: World) -> None:
    # Given dev and prod already linked (prod recorded second)
    world.deploy_peer_role(DEV)
    world.deploy_peer_role(PROD)
    record_dev_and_prod(world, (DEV, PROD))
    before = same_as(world.sagemaker(DEV)) | same_as(world.sagemaker(PROD))
    # When both events are delivered again to fresh recorders (a cold start, nothing remembered)
    outcomes = record_dev_and_prod(world, (DEV, PROD))
    outcomes_again = record_dev_and_prod(world, (PROD, DEV))
    # Then no link is added in either direction: the pair is found linked from either side
    after = same_as(world.sagemaker(DEV)) | same_as(world.sagemaker(PROD))
    assert after == before
    assert len(before) == 2
    for outcome in (*outcomes.values(), *outcomes_again.values()):
        assert outcome.links_created == []
        assert outcome.links_deferred == 0


# -------------------------------------------------------------------------------------- peer failure
@pytest.mark.parametrize("failure", ["AccessDenied", "ThrottlingException"])
def test_a_peer_without_the_role_defers_the_link_until_the_role_exists(world: World, failure: str) -> None:
    # Given dev recorded the shared data, and prod's recorder, with its pending links in the state table,
    # cannot assume dev's reader role (not deployed yet, or STS throttles)
    world.sts.failure_code = failure
    world.recorder(DEV, set()).record(training(DEV, "dev-train", inputs=[SHARED_DATA], model=SHARED_MODEL))
    prod_dynamodb = boto3.client("dynamodb")
    pending = TablePendingLinks(
        StateTable(prod_dynamodb, create_state_table(prod_dynamodb)), clock=world.clock
    )
    prod = world.recorder(PROD, {DEV}, pending)
    # When prod records a job that uses it
    outcome = prod.record(training(PROD, "prod-train", inputs=[SHARED_DATA], model=SHARED_MODEL))
    # Then the local lineage is recorded in full, and the links are deferred, not failed
    assert len(outcome.created) == 3  # image, data, model (the job's node is SageMaker's trial component)
    assert outcome.links_created == []
    assert outcome.links_deferred == 3  # image, data, model: each may have a twin in dev
    assert {link.source_uri for link in pending.all()} == {SHARED_DATA, SHARED_MODEL, SHARED_IMAGE}
    assert same_as(world.sagemaker(PROD)) == set()

    # When the role is deployed in dev and a later record arrives after the retry pause
    world.deploy_peer_role(DEV)
    world.clock.now += 120
    later = prod.record(training(PROD, "prod-other", inputs=["s3://prod-only/x/"], model="s3://prod-only/m"))
    # Then the deferred links are made, once, and nothing is left pending
    assert later.links_retried == 3
    assert len(later.links_created) == 3
    assert pending.all() == []
    assert len(same_as(world.sagemaker(PROD))) == 3


def test_a_pending_link_is_not_retried_before_its_pause(world: World) -> None:
    # Given a link deferred because dev's role is missing
    world.recorder(DEV, set()).record(training(DEV, "dev-train", inputs=[SHARED_DATA], model=SHARED_MODEL))
    prod = world.recorder(PROD, {DEV})
    prod.record(training(PROD, "prod-train", inputs=[SHARED_DATA], model="s3://prod-only/m"))
    asked = len(world.sts.asked)
    # When the next record arrives a few seconds later
    world.clock.now += 5
    outcome = prod.record(training(PROD, "prod-next", inputs=["s3://prod-only/y/"], model="s3://prod-only/n"))
    # Then the pending links are not retried yet, and the new record's keys are deferred without asking
    # the peer again (it failed moments ago: skipped for a while)
    assert outcome.links_retried == 0
    assert outcome.links_deferred > 0
    assert len(world.sts.asked) == asked


def test_with_every_peer_down_a_batch_records_locally_asking_each_peer_once(world: World) -> None:
    # Given dev, whose peers prod and the registry are down (STS throttles every AssumeRole onto them)
    world.sts.failure_code = "ThrottlingException"
    dev = world.recorder(DEV, {PROD, REGISTRY})
    events = [
        training(DEV, f"dev-batch-{n}", inputs=[f"{SHARED_DATA}{n}/"], model=f"s3://shared-models/{n}.tar.gz")
        for n in range(10)
    ]
    # When a batch of ten events is recorded
    outcomes = [dev.record(event) for event in events]
    # Then every event's lineage is recorded locally, every link deferred, and each peer was asked once:
    # after its first failure it is skipped, so the batch costs one failed call per peer, not one per key
    assert all(len(outcome.created) >= 2 for outcome in outcomes)
    assert sum(outcome.links_deferred for outcome in outcomes) >= 20
    assert sorted(world.sts.accounts_asked()) == sorted({PROD, REGISTRY})
    assert len(world.sts.asked) == 2
    # And once the pause has passed and the peers are back, they are asked again
    world.deploy_peer_role(PROD)
    world.deploy_peer_role(REGISTRY)
    world.clock.now += 121
    dev.record(training(DEV, "dev-after", inputs=["s3://dev-only/after/"], model="s3://dev-only/after.tgz"))
    assert len(world.sts.asked) > 2


# -------------------------------------------------------------------------------- who is contacted
def test_an_unconfigured_account_is_never_contacted(world: World) -> None:
    # Given an outsider account that has twins of every key and the reader role, and dev whose only peer is
    # the registry (which owns the shared image)
    world.deploy_peer_role(OUTSIDER)
    world.deploy_peer_role(REGISTRY)
    world.recorder(OUTSIDER, set()).record(
        training(OUTSIDER, "outsider-train", inputs=[SHARED_DATA], model=SHARED_MODEL)
    )
    world.recorder(REGISTRY, set()).record(
        training(REGISTRY, "registry-train", inputs=[SHARED_DATA], model=SHARED_MODEL)
    )
    # When dev records the same keys
    outcome = world.recorder(DEV, {REGISTRY}).record(
        training(DEV, "dev-train", inputs=[SHARED_DATA], model=SHARED_MODEL)
    )
    # Then only the registry was asked (STS and SageMaker), and every link points into the registry
    assert world.sts.accounts_asked() == {REGISTRY}
    assert world.sagemaker_calls[OUTSIDER] == 0
    assert world.sagemaker_calls[REGISTRY] > 0
    assert len(outcome.links_created) == 3
    assert all(f":{REGISTRY}:" in peer for _, peer in outcome.links_created)


def test_no_peers_configured_means_no_linker_and_no_call(world: World) -> None:
    # Given settings without peer accounts (or naming only the recorder's own account)
    for peers in (frozenset(), frozenset({DEV})):
        settings = RecorderSettings(peer_accounts=peers)
        # When the recorder is composed
        linker = build_linker(settings, DEV, in_memory_state())
        # Then there is no linker at all
        assert linker is None
    assert world.sts.asked == []


def test_an_arn_owned_by_a_peer_asks_that_peer_first() -> None:
    # Given a model package ARN owned by the registry, and an image in a registry that is not a peer
    package = EntityKey(EntityKind.ARTIFACT, f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package/churn/1")
    image = EntityKey(EntityKind.ARTIFACT, f"{OUTSIDER}.dkr.ecr.us-east-1.amazonaws.com/x:1")
    # When the peers to ask are chosen in prod, which peers with dev and the registry
    # Then the owner comes first, and an owner that is not configured is not added
    assert peers_to_ask(package, PROD, {DEV, REGISTRY}) == [REGISTRY, DEV]
    assert peers_to_ask(image, PROD, {DEV, REGISTRY}) == [DEV, REGISTRY]


# ----------------------------------------------------------------------------- keys never linked
def test_account_local_keys_are_never_linked(world: World) -> None:
    # Given prod holds entities whose SourceUri is dev's job ARN and dev's endpoint ARN
    world.deploy_peer_role(PROD)
    prod = world.sagemaker(PROD)
    job_arn = f"arn:aws:sagemaker:{REGION}:{DEV}:training-job/dev-train"
    prod.create_action(ActionName="copy-of-dev-job", ActionType="TrainingJob", Source={"SourceUri": job_arn})
    # When dev records that job (its node is an action keyed by the job ARN)
    outcome = world.recorder(DEV, {PROD}).record(
        training(DEV, "dev-train", inputs=["s3://dev-only/raw/"], model="s3://dev-only/model.tar.gz")
    )
    # Then prod was never asked about the job ARN, and nothing was linked
    assert outcome.links_created == []
    assert same_as(world.sagemaker(DEV)) == set()


@pytest.mark.parametrize(
    ("kind", "uri", "linkable"),
    [
        (EntityKind.ARTIFACT, "s3://bucket/data/", True),
        (EntityKind.ARTIFACT, f"{DEV}.dkr.ecr.us-east-1.amazonaws.com/own-image:1", True),
        (EntityKind.ARTIFACT, f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package/churn/1", True),
        (EntityKind.ARTIFACT, f"arn:aws:sagemaker:{REGION}:{DEV}:model-package/churn/1", True),
        (EntityKind.CONTEXT, f"arn:aws:sagemaker:{REGION}:{DEV}:model-package-group/churn", True),
        (EntityKind.CONTEXT, f"arn:aws:sagemaker:{REGION}:{DEV}:endpoint/churn", False),
        (EntityKind.CONTEXT, f"arn:aws:sagemaker:{REGION}:{PROD}:endpoint/churn", False),
        (EntityKind.ACTION, f"arn:aws:sagemaker:{REGION}:{DEV}:endpoint/churn?endpoint-config=v1", False),
        (EntityKind.ACTION, f"arn:aws:sagemaker:{REGION}:{DEV}:training-job/train", False),
        (EntityKind.ACTION, f"arn:aws:sagemaker:{REGION}:{DEV}:processing-job/prep", False),
        (EntityKind.ARTIFACT, "docker.io/library/python:3.11", False),
    ],
)
def test_which_keys_are_meaningful_across_accounts(kind: EntityKind, uri: str, linkable: bool) -> None:
    # Given a key recorded in dev / When it is classified / Then only shared keys are linkable
    assert is_linkable(EntityKey(kind, uri), DEV) is linkable

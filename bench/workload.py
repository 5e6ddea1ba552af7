"""A seeded, realistic ML estate as plain data: what to create in SageMaker, and the events it sends.

Pure: no AWS access here (``bench.estate`` creates the resources in the emulator and builds the events).

The estate is ``size`` pipelines spread over a few projects. Each pipeline is a chain:

- a processing job reads one to three raw data sets (drawn with Zipf-like weights, so a few are read
  by most pipelines; a shared reference data set now and then) and writes the pipeline's features;
- one to three training jobs read those features and each produce a model; or (about a third of the
  pipelines) a hyperparameter tuning job launches two to four training jobs that do, each sending its
  event, then the tuning job's;
- some training jobs also read the labels a project's Ground Truth labeling job produced (its output
  manifest), and each project has a feature group (its event);
- one model is registered as a model package in the project's model package group (pending approval),
  directly or (about a third) by a run of the project's SageMaker pipeline (step and execution events),
  then usually approved, sometimes rejected: every change sends a model package event; about half the
  approved versions get a model card;
- zero to two transform jobs score the project's shared batch input with that model;
- an approved package is deployed: the project's endpoint is created, or updated to a new endpoint
  config (sometimes keeping the previous model as a second variant).

Pipelines overlap in time. Every event is delivered after a random delay, so the stream is shuffled
locally, and a fixed share of deliveries are duplicates (EventBridge delivers at least once).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sagemaker_lineage_emulator.tuning import launched_job_name

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/EstateSageMakerRole"

DEFAULT_DUPLICATE_RATE = 0.2
MAX_DUPLICATE_RATE = 0.5
# Minutes of simulated time between the starts of two pipelines, and the mean delivery delay.
CHAIN_SPACING = 2.0
MEAN_DELIVERY_DELAY = 3.0
PIPELINES_PER_PROJECT = 6

DETAIL_TYPES: dict[str, str] = {
    "processing": "SageMaker Processing Job State Change",
    "training": "SageMaker Training Job State Change",
    "transform": "SageMaker Transform Job State Change",
    "model-package": "SageMaker Model Package State Change",
    "endpoint": "SageMaker Endpoint State Change",
    "tuning": "SageMaker HyperParameter Tuning Job State Change",
    "pipeline-step": "SageMaker Model Building Pipeline Execution Step Status Change",
    "pipeline-execution": "SageMaker Model Building Pipeline Execution Status Change",
    "feature-group": "SageMaker Feature Group State Change",
    "labeling": "SageMaker Ground Truth Labeling Job State Change",
    "model-card": "SageMaker Model Card State Change",
}
# Pipeline events name the execution, whose id SageMaker chooses when it starts: the event's resource
# is this placeholder, resolved by the estate from StartPipelineExecution's answer.
EXECUTION_OF = "$execution-of:"

_ECR = f"dkr.ecr.{REGION}.amazonaws.com"
PROCESSING_IMAGES = (
    f"683313688378.{_ECR}/sagemaker-scikit-learn:1.2-1-cpu-py3",
    f"{ACCOUNT}.{_ECR}/estate-spark-prep:3.4",
)
# training image -> the image its models are served with
_XGBOOST = f"683313688378.{_ECR}/sagemaker-xgboost:1.7-1"
INFERENCE_IMAGES = {
    _XGBOOST: _XGBOOST,
    f"763104351884.{_ECR}/pytorch-training:2.3-gpu-py311": f"763104351884.{_ECR}/pytorch-inference:2.3-py311",
    f"{ACCOUNT}.{_ECR}/estate-lightgbm:4.3": f"{ACCOUNT}.{_ECR}/estate-lightgbm-serve:4.3",
}
TRAINING_IMAGES = tuple(INFERENCE_IMAGES)
RAW_SOURCES = ("customers", "transactions", "clickstream", "inventory", "payments", "support-tickets")
REFERENCE_DATASETS = (
    "s3://estate-reference/calendar/",
    "s3://estate-reference/geo/",
    "s3://estate-reference/fx-rates/",
)
DOMAINS = ("churn", "fraud", "demand", "ranking", "pricing", "risk")
INSTANCE = {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}


@dataclass(frozen=True)
class Call:
    """One SageMaker API call: the boto3 method name and its parameters."""

    operation: str
    params: dict[str, Any]


@dataclass(frozen=True)
class EventSpec:
    """One state-change event: its resource, the Describe* that gives its detail, and its floor."""

    index: int
    event_id: str
    kind: str  # a key of DETAIL_TYPES
    resource_arn: str
    describe: Call
    # Fields that differ between the Describe* answer and the event (UPPER_SNAKE endpoint statuses,
    # the model package event's UpdatedModelPackageFields).
    overrides: dict[str, Any] = field(default_factory=dict)
    # Describe* calls the floor allows for this event: its resource, plus each resource the lineage of
    # the event needs described (a transform job's model; an endpoint's config and each of its models).
    floor_describes: int = 1
    # Events that carry less than the Describe* view (a labeling job's: only its status).
    detail_only: tuple[str, ...] | None = None

    @property
    def detail_type(self) -> str:
        return DETAIL_TYPES[self.kind]


@dataclass(frozen=True)
class Step:
    """At ``time`` (minutes), these calls change the estate, and SageMaker sends ``event``."""

    time: float
    calls: tuple[Call, ...]
    event: EventSpec


@dataclass(frozen=True)
class Delivery:
    time: float
    event: int  # EventSpec.index
    duplicate: bool  # the same event was delivered earlier in the stream


@dataclass(frozen=True)
class Workload:
    size: int
    seed: int
    duplicate_rate: float
    steps: tuple[Step, ...]  # in time order
    deliveries: tuple[Delivery, ...]  # in delivery order

    @property
    def events(self) -> tuple[EventSpec, ...]:
        return tuple(step.event for step in self.steps)

    @property
    def duplicates(self) -> int:
        return sum(1 for delivery in self.deliveries if delivery.duplicate)

    def with_id_salt(self, salt: str) -> Workload:
        """The same workload whose events carry other ids (so no idempotency record can match them)."""
        steps = tuple(
            replace(step, event=replace(step.event, event_id=event_id(self.seed, salt, step.event.index)))
            for step in self.steps
        )
        return replace(self, steps=steps)

    def summary(self) -> dict[str, Any]:
        kinds = {event.index: event.kind for event in self.events}
        events_by_kind = Counter(kinds.values())
        deliveries_by_kind = Counter(kinds[delivery.event] for delivery in self.deliveries)
        return {
            "pipelines": self.size,
            "seed": self.seed,
            "events": len(self.steps),
            "deliveries": len(self.deliveries),
            "duplicate_deliveries": self.duplicates,
            "duplicate_share": round(self.duplicates / len(self.deliveries), 4) if self.deliveries else 0.0,
            "setup_calls": sum(len(step.calls) for step in self.steps),
            "by_kind": {
                kind: {"events": events_by_kind[kind], "deliveries": deliveries_by_kind[kind]}
                for kind in DETAIL_TYPES
            },
        }


def event_id(seed: int, salt: str, index: int) -> str:
    digest = hashlib.sha256(f"{seed}:{salt}:{index}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def arn(resource: str, name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}/{name}"


def model_artifact_uri(output_path: str, job_name: str) -> str:
    """Where SageMaker (and moto) put a training job's model: <S3OutputPath><job>/output/model.tar.gz."""
    return f"{output_path}{job_name}/output/model.tar.gz"


# --------------------------------------------------------------------------------------- pipelines
@dataclass(frozen=True)
class _Intent:
    """Something that happens in a pipeline; the estate turns intents into Steps in time order."""

    time: float
    pipeline: int
    action: str  # processing | training | register | transform | review | deploy
    data: dict[str, Any]


@dataclass
class _Pipeline:
    number: int
    project: str
    rng: random.Random
    raw: Sequence[str]
    raw_weights: Sequence[float]
    intents: list[_Intent] = field(default_factory=list)

    def name(self, what: str, *suffix: int) -> str:
        return "-".join([self.project, what, f"{self.number:04d}", *(str(s) for s in suffix)])

    def plan(self) -> list[_Intent]:
        rng = self.rng
        t = self.number * CHAIN_SPACING + rng.uniform(0, CHAIN_SPACING)
        features = f"s3://estate-features/{self.project}/{self.number:04d}/"
        outputs = [f"{features}train/", f"{features}validation/"]
        if rng.random() < 0.3:
            outputs.append(f"{features}test/")
        inputs = self._raw_inputs(rng.choice((1, 2, 2, 3)))
        if rng.random() < 0.3:
            inputs.append(rng.choice(REFERENCE_DATASETS))
        self._add(t, "processing", name=self.name("prep"), inputs=inputs, outputs=outputs)

        image = rng.choice(TRAINING_IMAGES)
        models: list[str] = []
        output = f"s3://estate-models/{self.project}/"
        channels = outputs[:2] + ([rng.choice(REFERENCE_DATASETS)] if rng.random() < 0.3 else [])
        if rng.random() < 0.4:
            channels.append(labels_manifest(self.project))
        if rng.random() < 0.35:
            t += rng.uniform(0.5, 2.0)
            tuning, jobs = self.name("tune"), rng.choice((2, 3, 4))
            self._add(t, "tuning", name=tuning, image=image, inputs=channels, output=output, jobs=jobs)
            models += [model_artifact_uri(output, launched_job_name(tuning, i)) for i in range(1, jobs + 1)]
            t += 0.05 * (jobs + 1)
        else:
            for attempt in range(1, rng.choice((1, 2, 2, 3)) + 1):
                t += rng.uniform(0.5, 2.0)
                job = self.name("train", attempt)
                checkpoint = f"s3://estate-checkpoints/{self.project}/{job}/" if rng.random() < 0.4 else None
                self._add(
                    t,
                    "training",
                    name=job,
                    image=image,
                    inputs=channels,
                    output=output,
                    checkpoint=checkpoint,
                )
                models.append(model_artifact_uri(output, job))

        t += rng.uniform(0.5, 1.5)
        model_name = self.name("model")
        self._add(
            t,
            "register",
            model=model_name,
            image=INFERENCE_IMAGES[image],
            model_data=rng.choice(models),
            via_pipeline=rng.random() < 0.35,
        )
        review_time = t + rng.uniform(1.0, 4.0)
        for run in range(1, rng.choice((0, 1, 1, 2)) + 1):
            self._add(t + rng.uniform(0.5, 3.0), "transform", name=self.name("score", run), model=model_name)
        fate = rng.random()
        if fate < 0.85:
            approved = fate < 0.65
            self._add(review_time, "review", model=model_name, approved=approved)
            if approved and rng.random() < 0.5:
                self._add(review_time + rng.uniform(0.1, 0.4), "card", model=model_name)
            if approved:
                self._add(review_time + rng.uniform(0.5, 2.0), "deploy", model=model_name)
        return self.intents

    def _raw_inputs(self, count: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < min(count, len(self.raw)):
            (uri,) = self.rng.choices(self.raw, weights=self.raw_weights)
            if uri not in chosen:
                chosen.append(uri)
        return chosen

    def _add(self, time: float, action: str, **data: Any) -> None:
        self.intents.append(_Intent(time, self.number, action, data))


# ------------------------------------------------------------------------------------------ estate
@dataclass
class _Estate:
    """Turns intents, in time order, into Steps; it knows what already exists (groups, endpoints)."""

    seed: int
    rng: random.Random
    steps: list[Step] = field(default_factory=list)
    package_versions: Counter[str] = field(default_factory=Counter)
    package_of_model: dict[str, str] = field(default_factory=dict)
    live_model: dict[str, str] = field(default_factory=dict)  # endpoint -> model serving it
    configs: Counter[str] = field(default_factory=Counter)

    pipelines: set[str] = field(default_factory=set)
    # Packages a pipeline registered: their GeneratedBy names the execution, which the recorder describes.
    generated: set[str] = field(default_factory=set)

    def add(self, intent: _Intent, project: str) -> None:
        produced = getattr(self, f"_{intent.action}")(intent, project, len(self.steps))
        for step in produced if isinstance(produced, list) else [produced]:
            number = len(self.steps)
            event = replace(step.event, index=number, event_id=event_id(self.seed, "", number))
            self.steps.append(replace(step, event=event))

    def _event(self, index: int, kind: str, resource_arn: str, describe: Call, **extra: Any) -> EventSpec:
        return EventSpec(index, event_id(self.seed, "", index), kind, resource_arn, describe, **extra)

    def _training_request(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "AlgorithmSpecification": {"TrainingImage": data["image"], "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "InputDataConfig": [
                {
                    "ChannelName": f"channel-{i}",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
                }
                for i, uri in enumerate(data["inputs"])
            ],
            "OutputDataConfig": {"S3OutputPath": data["output"]},
            "ResourceConfig": {**INSTANCE, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        }

    def _tuning(self, intent: _Intent, _project: str, index: int) -> list[Step]:
        """The tuning job launches its training jobs (each sends its event), then it sends its own."""
        name, data = intent.data["name"], intent.data
        create = Call(
            "create_hyper_parameter_tuning_job",
            {
                "HyperParameterTuningJobName": name,
                "HyperParameterTuningJobConfig": {
                    "Strategy": "Bayesian",
                    "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
                    "ResourceLimits": {"MaxNumberOfTrainingJobs": data["jobs"], "MaxParallelTrainingJobs": 2},
                    "ParameterRanges": {
                        "ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.05", "MaxValue": "0.5"}]
                    },
                },
                "TrainingJobDefinition": self._training_request(data),
            },
        )
        steps: list[Step] = []
        for number in range(1, data["jobs"] + 1):
            job = launched_job_name(name, number)
            describe = Call("describe_training_job", {"TrainingJobName": job})
            event = self._event(index, "training", arn("training-job", job), describe)
            steps.append(Step(intent.time + 0.01 * number, (create,) if number == 1 else (), event))
        describe = Call("describe_hyper_parameter_tuning_job", {"HyperParameterTuningJobName": name})
        event = self._event(index, "tuning", arn("hyper-parameter-tuning-job", name), describe)
        return [*steps, Step(intent.time + 0.01 * (data["jobs"] + 1), (), event)]

    def _labeling(self, intent: _Intent, project: str, index: int) -> Step:
        name = intent.data["name"]
        create = Call(
            "create_labeling_job",
            {
                "LabelingJobName": name,
                "LabelAttributeName": "label",
                "InputConfig": {
                    "DataSource": {
                        "S3DataSource": {"ManifestS3Uri": f"s3://estate-labels/{project}/input.manifest"}
                    }
                },
                "OutputConfig": {"S3OutputPath": f"s3://estate-labels/{project}/"},
                "RoleArn": ROLE,
                "HumanTaskConfig": {
                    "WorkteamArn": arn("workteam", f"private-crowd/{project}-team"),
                    "UiConfig": {"UiTemplateS3Uri": f"s3://estate-labels/{project}/template.liquid"},
                    "PreHumanTaskLambdaArn": f"{GROUND_TRUTH_FUNCTIONS}:PRE-TextMultiClass",
                    "TaskTitle": "Label",
                    "TaskDescription": "Label the record",
                    "NumberOfHumanWorkersPerDataObject": 1,
                    "TaskTimeLimitInSeconds": 300,
                    "AnnotationConsolidationConfig": {
                        "AnnotationConsolidationLambdaArn": f"{GROUND_TRUTH_FUNCTIONS}:ACS-TextMultiClass"
                    },
                },
            },
        )
        describe = Call("describe_labeling_job", {"LabelingJobName": name})
        # The labeling event carries only the status; the rest is the recorder's to describe.
        event = self._event(
            index, "labeling", arn("labeling-job", name), describe, detail_only=("LabelingJobStatus",)
        )
        return Step(intent.time, (create,), event)

    def _feature_group(self, intent: _Intent, _project: str, index: int) -> Step:
        name = intent.data["name"]
        create = Call(
            "create_feature_group",
            {
                "FeatureGroupName": name,
                "RecordIdentifierFeatureName": "record_id",
                "EventTimeFeatureName": "event_time",
                "FeatureDefinitions": [
                    {"FeatureName": "record_id", "FeatureType": "String"},
                    {"FeatureName": "event_time", "FeatureType": "Fractional"},
                ],
                "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://estate-feature-store/offline"}},
                "RoleArn": ROLE,
            },
        )
        describe = Call("describe_feature_group", {"FeatureGroupName": name})
        return Step(
            intent.time, (create,), self._event(index, "feature-group", arn("feature-group", name), describe)
        )

    def _card(self, intent: _Intent, _project: str, index: int) -> Step:
        package_arn = self.package_of_model[intent.data["model"]]
        name = f"{intent.data['model']}-card"
        content = {
            "model_package_details": {"model_package_arn": package_arn},
            "intended_uses": {"risk_rating": "Low"},
        }
        create = Call(
            "create_model_card",
            {"ModelCardName": name, "Content": json.dumps(content), "ModelCardStatus": "Approved"},
        )
        describe = Call("describe_model_card", {"ModelCardName": name})
        event = self._event(index, "model-card", arn("model-card", name), describe, floor_describes=2)
        return Step(intent.time, (create,), event)

    def _processing(self, intent: _Intent, _project: str, index: int) -> Step:
        name, data = intent.data["name"], intent.data
        create = Call(
            "create_processing_job",
            {
                "ProcessingJobName": name,
                "RoleArn": ROLE,
                "AppSpecification": {"ImageUri": PROCESSING_IMAGES[intent.pipeline % len(PROCESSING_IMAGES)]},
                "ProcessingResources": {"ClusterConfig": {**INSTANCE, "VolumeSizeInGB": 30}},
                "ProcessingInputs": [
                    {
                        "InputName": f"input-{i}",
                        "S3Input": {
                            "S3Uri": uri,
                            "LocalPath": f"/opt/ml/processing/input-{i}",
                            "S3DataType": "S3Prefix",
                            "S3InputMode": "File",
                        },
                    }
                    for i, uri in enumerate(data["inputs"])
                ],
                "ProcessingOutputConfig": {
                    "Outputs": [
                        {
                            "OutputName": f"output-{i}",
                            "S3Output": {
                                "S3Uri": uri,
                                "LocalPath": f"/opt/ml/processing/output-{i}",
                                "S3UploadMode": "EndOfJob",
                            },
                        }
                        for i, uri in enumerate(data["outputs"])
                    ]
                },
                "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            },
        )
        describe = Call("describe_processing_job", {"ProcessingJobName": name})
        return Step(
            intent.time, (create,), self._event(index, "processing", arn("processing-job", name), describe)
        )

    def _training(self, intent: _Intent, _project: str, index: int) -> Step:
        name, data = intent.data["name"], intent.data
        params: dict[str, Any] = {"TrainingJobName": name, **self._training_request(data)}
        if data["checkpoint"]:
            params["CheckpointConfig"] = {"S3Uri": data["checkpoint"]}
        describe = Call("describe_training_job", {"TrainingJobName": name})
        event = self._event(index, "training", arn("training-job", name), describe)
        return Step(intent.time, (Call("create_training_job", params),), event)

    def _register(self, intent: _Intent, project: str, index: int) -> Step | list[Step]:
        group = f"{project}-models"
        calls: list[Call] = []
        if not self.package_versions[group]:
            calls.append(Call("create_model_package_group", {"ModelPackageGroupName": group}))
        self.package_versions[group] += 1
        package_arn = arn("model-package", f"{group}/{self.package_versions[group]}")
        container = {"Image": intent.data["image"], "ModelDataUrl": intent.data["model_data"]}
        registration = {
            "ModelPackageGroupName": group,
            "ModelApprovalStatus": "PendingManualApproval",
            "InferenceSpecification": {
                "Containers": [container],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        }
        pipeline = f"{project}-register"
        if intent.data["via_pipeline"]:
            # The project's pipeline registers the version: its RegisterModel step takes the model's
            # image and data as the execution's parameters.
            if pipeline not in self.pipelines:
                self.pipelines.add(pipeline)
                calls.append(Call("create_pipeline", _registration_pipeline(pipeline, group)))
            calls.append(
                Call(
                    "start_pipeline_execution",
                    {
                        "PipelineName": pipeline,
                        "PipelineParameters": [
                            {"Name": "Image", "Value": intent.data["image"]},
                            {"Name": "ModelData", "Value": intent.data["model_data"]},
                        ],
                    },
                )
            )
        else:
            calls.append(Call("create_model_package", registration))
        # The model SageMaker builds from the package (its container names the package).
        calls.append(
            Call(
                "create_model",
                {
                    "ModelName": intent.data["model"],
                    "ExecutionRoleArn": ROLE,
                    "PrimaryContainer": {**container, "ModelPackageName": package_arn},
                },
            )
        )
        self.package_of_model[intent.data["model"]] = package_arn
        describe = Call("describe_model_package", {"ModelPackageName": package_arn})
        if not intent.data["via_pipeline"]:
            return Step(intent.time, tuple(calls), self._event(index, "model-package", package_arn, describe))
        self.generated.add(package_arn)
        # The package's event describes the execution its GeneratedBy names, too.
        registered = Step(
            intent.time,
            tuple(calls),
            self._event(index, "model-package", package_arn, describe, floor_describes=2),
        )
        execution = f"{EXECUTION_OF}{pipeline}"
        describe_run = Call("describe_pipeline_execution", {"PipelineExecutionArn": execution})
        step_event = self._event(
            index,
            "pipeline-step",
            execution,
            describe_run,
            overrides={"stepName": "Register"},
            # the execution, its step list, and the package its step registered
            floor_describes=3,
        )
        run_event = self._event(index, "pipeline-execution", execution, describe_run, floor_describes=3)
        return [
            registered,
            Step(intent.time + 0.01, (), step_event),
            Step(intent.time + 0.02, (), run_event),
        ]

    def _review(self, intent: _Intent, _project: str, index: int) -> Step:
        package_arn = self.package_of_model[intent.data["model"]]
        status = "Approved" if intent.data["approved"] else "Rejected"
        update = Call("update_model_package", {"ModelPackageArn": package_arn, "ModelApprovalStatus": status})
        describe = Call("describe_model_package", {"ModelPackageName": package_arn})
        event = self._event(
            index,
            "model-package",
            package_arn,
            describe,
            overrides={"UpdatedModelPackageFields": ["ModelApprovalStatus"]},
            floor_describes=2 if package_arn in self.generated else 1,
        )
        return Step(intent.time, (update,), event)

    def _transform(self, intent: _Intent, project: str, index: int) -> Step:
        name = intent.data["name"]
        create = Call(
            "create_transform_job",
            {
                "TransformJobName": name,
                "ModelName": intent.data["model"],
                "TransformInput": {
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": f"s3://estate-batch/{project}/input/",
                        }
                    }
                },
                "TransformOutput": {"S3OutputPath": f"s3://estate-batch/{project}/scores/{name}/"},
                "TransformResources": INSTANCE,
            },
        )
        describe = Call("describe_transform_job", {"TransformJobName": name})
        event = self._event(index, "transform", arn("transform-job", name), describe, floor_describes=2)
        return Step(intent.time, (create,), event)

    def _deploy(self, intent: _Intent, project: str, index: int) -> Step:
        endpoint = f"{project}-live"
        self.configs[endpoint] += 1
        config = f"{endpoint}-config-{self.configs[endpoint]}"
        models = [intent.data["model"]]
        previous = self.live_model.get(endpoint)
        if previous is not None and self.rng.random() < 0.3:
            models.append(previous)  # keep the previous model as a canary variant
        variants = [
            {
                "VariantName": f"variant-{i}",
                "ModelName": model,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 1.0 if i == 0 else 0.1,
            }
            for i, model in enumerate(models)
        ]
        operation = "update_endpoint" if previous is not None else "create_endpoint"
        self.live_model[endpoint] = intent.data["model"]
        calls = (
            Call("create_endpoint_config", {"EndpointConfigName": config, "ProductionVariants": variants}),
            Call(operation, {"EndpointName": endpoint, "EndpointConfigName": config}),
        )
        describe = Call("describe_endpoint", {"EndpointName": endpoint})
        event = self._event(
            index,
            "endpoint",
            arn("endpoint", endpoint),
            describe,
            overrides={"EndpointStatus": "IN_SERVICE"},
            floor_describes=2 + len(models),
        )
        return Step(intent.time, calls, event)


GROUND_TRUTH_FUNCTIONS = "arn:aws:lambda:us-east-1:432418664414:function"


def _registration_pipeline(name: str, group: str) -> dict[str, Any]:
    """A pipeline of one RegisterModel step, its model's image and data given as parameters."""
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "Image", "Type": "String"}, {"Name": "ModelData", "Type": "String"}],
        "Steps": [
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {
                    "ModelPackageGroupName": group,
                    "ModelApprovalStatus": "PendingManualApproval",
                    "InferenceSpecification": {
                        "Containers": [
                            {
                                "Image": {"Get": "Parameters.Image"},
                                "ModelDataUrl": {"Get": "Parameters.ModelData"},
                            }
                        ],
                        "SupportedContentTypes": ["text/csv"],
                        "SupportedResponseMIMETypes": ["text/csv"],
                    },
                },
            }
        ],
    }
    return {"PipelineName": name, "PipelineDefinition": json.dumps(definition), "RoleArn": ROLE}


def labels_manifest(project: str) -> str:
    """Where the project's labeling job writes its output manifest (Ground Truth's layout)."""
    return f"s3://estate-labels/{project}/{project}-labels/manifests/output/output.manifest"


def _raw_datasets(size: int) -> list[str]:
    count = max(4, size // 2)
    return [
        f"s3://estate-raw/{RAW_SOURCES[i % len(RAW_SOURCES)]}/2026-{(i // len(RAW_SOURCES)) % 12 + 1:02d}/"
        for i in range(count)
    ]


def _deliveries(rng: random.Random, steps: Sequence[Step], duplicate_rate: float) -> tuple[Delivery, ...]:
    duplicated = set(rng.sample(range(len(steps)), round(len(steps) * duplicate_rate / (1 - duplicate_rate))))
    timed: list[tuple[float, int]] = []
    for step in steps:
        copies = 2 if step.event.index in duplicated else 1
        timed.extend(
            (step.time + rng.expovariate(1 / MEAN_DELIVERY_DELAY), step.event.index) for _ in range(copies)
        )
    seen: set[int] = set()
    deliveries: list[Delivery] = []
    for time, index in sorted(timed):
        deliveries.append(Delivery(time, index, index in seen))
        seen.add(index)
    return tuple(deliveries)


def generate(size: int, seed: int, duplicate_rate: float = DEFAULT_DUPLICATE_RATE) -> Workload:
    """The estate of ``size`` pipelines for ``seed``: the same arguments always give the same workload."""
    if size < 1:
        raise ValueError("size must be at least 1")
    if not 0 <= duplicate_rate <= MAX_DUPLICATE_RATE:
        raise ValueError(f"duplicate_rate must be between 0 and {MAX_DUPLICATE_RATE}")
    rng = random.Random(seed)
    projects = [
        f"{DOMAINS[p % len(DOMAINS)]}-{p:02d}" for p in range(max(1, -(-size // PIPELINES_PER_PROJECT)))
    ]
    raw = _raw_datasets(size)
    weights = [1 / (rank + 1) for rank in range(len(raw))]
    intents: list[tuple[_Intent, str]] = []
    for index, project in enumerate(projects):
        # Each project labels its data and defines its feature group before its first pipeline runs.
        start = index * CHAIN_SPACING - 1.0
        intents.append((_Intent(start, index, "labeling", {"name": f"{project}-labels"}), project))
        group = f"{project.replace('-', '_')}_features"
        intents.append((_Intent(start + 0.1, index, "feature_group", {"name": group}), project))
    for number in range(size):
        project = projects[number % len(projects)]
        pipeline = _Pipeline(number, project, random.Random(rng.getrandbits(64)), raw, weights)
        intents.extend((intent, project) for intent in pipeline.plan())
    estate = _Estate(seed, random.Random(rng.getrandbits(64)))
    for intent, project in sorted(intents, key=lambda pair: (pair[0].time, pair[0].pipeline)):
        estate.add(intent, project)
    steps = tuple(estate.steps)
    return Workload(size, seed, duplicate_rate, steps, _deliveries(rng, steps, duplicate_rate))

"""The benchmark's workload generator: deterministic for a seed, and the estate it claims to model."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sagemaker_lineage_emulator.tuning import launched_job_name

from bench.workload import DETAIL_TYPES, Call, Workload, generate

SIZE = 24
SEED = 5


@pytest.fixture(scope="module")
def workload() -> Workload:
    return generate(SIZE, SEED)


def _calls(workload: Workload, operation: str) -> list[dict[str, Any]]:
    return [call.params for step in workload.steps for call in step.calls if call.operation == operation]


def _s3_inputs(params: dict[str, Any]) -> list[str]:
    inputs = [item["S3Input"]["S3Uri"] for item in params.get("ProcessingInputs", [])]
    inputs += [item["DataSource"]["S3DataSource"]["S3Uri"] for item in params.get("InputDataConfig", [])]
    return inputs


def test_the_same_seed_gives_the_same_workload_and_another_seed_another(workload: Workload) -> None:
    assert generate(SIZE, SEED) == workload
    assert generate(SIZE, SEED + 1) != workload
    assert len({event.event_id for event in workload.events}) == len(workload.events)


def test_about_a_fifth_of_deliveries_are_duplicates_of_an_earlier_delivery(workload: Workload) -> None:
    deliveries = Counter(delivery.event for delivery in workload.deliveries)
    assert set(deliveries) == {event.index for event in workload.events}
    assert set(deliveries.values()) == {1, 2}
    assert workload.duplicates == sum(1 for n in deliveries.values() if n == 2)
    assert workload.duplicates / len(workload.deliveries) == pytest.approx(0.2, abs=0.01)
    seen: set[int] = set()
    for delivery in workload.deliveries:
        assert delivery.duplicate == (delivery.event in seen)
        seen.add(delivery.event)


def test_deliveries_are_shuffled_but_never_precede_their_event(workload: Workload) -> None:
    times = {step.event.index: step.time for step in workload.steps}
    order = [delivery.event for delivery in workload.deliveries]
    assert order != sorted(order)
    assert all(delivery.time >= times[delivery.event] for delivery in workload.deliveries)
    assert [step.time for step in workload.steps] == sorted(step.time for step in workload.steps)


def test_every_kind_of_event_is_in_the_stream(workload: Workload) -> None:
    kinds = Counter(event.kind for event in workload.events)
    assert set(kinds) == set(DETAIL_TYPES)
    assert kinds["processing"] == SIZE


def test_raw_datasets_are_shared_across_many_jobs(workload: Workload) -> None:
    uses = Counter(
        uri
        for operation in ("create_processing_job", "create_training_job")
        for params in _calls(workload, operation)
        for uri in _s3_inputs(params)
    )
    assert max(uses.values()) >= SIZE // 3


def test_pipelines_chain_processing_into_training_into_transform(workload: Workload) -> None:
    outputs = {
        output["S3Output"]["S3Uri"]
        for params in _calls(workload, "create_processing_job")
        for output in params["ProcessingOutputConfig"]["Outputs"]
    }
    for params in _calls(workload, "create_training_job"):
        assert outputs.intersection(_s3_inputs(params))
    models = {params["ModelName"] for params in _calls(workload, "create_model")}
    transforms = _calls(workload, "create_transform_job")
    assert transforms
    assert {params["ModelName"] for params in transforms} <= models


def test_model_packages_change_approval_and_endpoints_are_updated(workload: Workload) -> None:
    reviews = _calls(workload, "update_model_package")
    assert {params["ModelApprovalStatus"] for params in reviews} == {"Approved", "Rejected"}
    package_events = [event for event in workload.events if event.kind == "model-package"]
    assert any(event.overrides.get("UpdatedModelPackageFields") for event in package_events)
    assert _calls(workload, "update_endpoint")
    endpoint_events = Counter(event.resource_arn for event in workload.events if event.kind == "endpoint")
    assert max(endpoint_events.values()) >= 2


def test_the_floor_allows_one_describe_per_resource_the_lineage_needs(workload: Workload) -> None:
    configs = {params["EndpointConfigName"]: params for params in _calls(workload, "create_endpoint_config")}
    # The versions a pipeline run registered: their registration step starts an execution.
    generated = {
        step.event.resource_arn
        for step in workload.steps
        if step.event.kind == "model-package"
        and any(call.operation == "start_pipeline_execution" for call in step.calls)
    }
    assert generated
    for step in workload.steps:
        event = step.event
        if event.kind == "transform":
            assert event.floor_describes == 2
        elif event.kind == "endpoint":
            (deploy,) = [call for call in step.calls if call.operation.endswith("_endpoint")]
            variants = configs[deploy.params["EndpointConfigName"]]["ProductionVariants"]
            assert event.floor_describes == 2 + len(variants)
        elif event.kind in ("pipeline-step", "pipeline-execution"):
            # DescribePipelineExecution, ListPipelineExecutionSteps and the registered package
            assert event.floor_describes == 3
        elif event.kind == "model-package":
            # a version a pipeline registered: the execution its GeneratedBy names is described too
            assert event.floor_describes == (2 if event.resource_arn in generated else 1)
        elif event.kind == "model-card":
            # DescribeModelCard, and whether the package it names exists
            assert event.floor_describes == 2
        else:
            assert event.floor_describes == 1
        assert isinstance(event.describe, Call)
        assert event.describe.operation.startswith("describe_")


def test_a_salt_changes_only_the_event_ids(workload: Workload) -> None:
    salted = workload.with_id_salt("other")
    assert [event.event_id for event in salted.events] != [event.event_id for event in workload.events]
    assert [step.calls for step in salted.steps] == [step.calls for step in workload.steps]
    assert salted.deliveries == workload.deliveries


def test_bad_sizes_and_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="size"):
        generate(0, SEED)
    with pytest.raises(ValueError, match="duplicate_rate"):
        generate(SIZE, SEED, duplicate_rate=0.6)


def test_tuning_jobs_launch_the_training_jobs_whose_events_precede_theirs(workload: Workload) -> None:
    # Given the workload's tuning jobs
    tunings = _calls(workload, "create_hyper_parameter_tuning_job")
    assert tunings
    names = [step.event.describe.params.get("TrainingJobName") for step in workload.steps]
    for tuning in tunings:
        name = tuning["HyperParameterTuningJobName"]
        count = tuning["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
        # Then each training job it launches (named as the emulator names them) sends its event before the
        # tuning job's own
        launched = [launched_job_name(name, index) for index in range(1, count + 1)]
        positions = [names.index(job) for job in launched]
        tuning_event = next(
            i
            for i, step in enumerate(workload.steps)
            if step.event.kind == "tuning"
            and step.event.describe.params["HyperParameterTuningJobName"] == name
        )
        assert max(positions) < tuning_event


def test_pipeline_registrations_send_step_and_execution_events_for_the_run_that_registered(
    workload: Workload,
) -> None:
    runs = _calls(workload, "start_pipeline_execution")
    assert runs
    kinds = [step.event.kind for step in workload.steps]
    assert kinds.count("pipeline-step") == kinds.count("pipeline-execution") == len(runs)
    assert {"feature-group", "labeling", "model-card", "tuning"} <= set(kinds)

"""Job trial components as SageMaker creates them, which moto does not.

SageMaker creates a trial component named ``<job>-aws-<kind>-job`` for every training, processing and
transform job, with ``Source.SourceArn`` = the job ARN (SageMaker Developer Guide, "Amazon SageMaker
ML Lineage Tracking - automatically created entities"). The switch ``create_job_trial_components``
turns this off, so code can be tested against accounts where the component is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, BaseResponse

from sagemaker_lineage_emulator import settings
from sagemaker_lineage_emulator.errors import ValidationError
from sagemaker_lineage_emulator.pagination import page
from sagemaker_lineage_emulator.responses import DEFAULT_LIST_PAGE_SIZE, _params, _sorted, _timestamp
from sagemaker_lineage_emulator.store import store_for
from sagemaker_lineage_emulator.validation import validate_request

JOB_KINDS = {
    # response method -> (name parameter, backend collection, name suffix, SageMaker source type)
    "create_training_job": ("TrainingJobName", "training_jobs", "-aws-training-job", "SageMakerTrainingJob"),
    "create_processing_job": ("ProcessingJobName", "processing_jobs", "-aws-processing-job", "SageMakerProcessingJob"),
    "create_transform_job": ("TransformJobName", "transform_jobs", "-aws-transform-job", "SageMakerTransformJob"),
}


def with_trial_component(original: Callable[[BaseResponse], Any], method: str) -> Callable[[BaseResponse], Any]:
    name_param, collection, suffix, source_type = JOB_KINDS[method]

    def create_job(self: BaseResponse) -> Any:
        result = original(self)
        if settings.current().create_job_trial_components:
            job_name = self._get_param(name_param)
            backend = self.sagemaker_backend  # type: ignore[attr-defined]
            job_arn = getattr(backend, collection)[job_name].arn
            component_name = f"{job_name}{suffix}"
            backend.create_trial_component(
                trial_component_name=component_name,
                trial_name=None,
                status={"PrimaryStatus": "Completed"},
                start_time=None,
                end_time=None,
                display_name=component_name,
                parameters=None,
                input_artifacts=None,
                output_artifacts=None,
                metadata_properties=None,
            )
            store_for(self.current_account, self.region).trial_component_sources[component_name] = {
                "SourceArn": job_arn,
                "SourceType": source_type,
            }
        return result

    return create_job


def describe_trial_component(original: Callable[[BaseResponse], Any]) -> Callable[[BaseResponse], Any]:
    def describe(self: BaseResponse) -> Any:
        result = original(self)
        name = self._get_param("TrialComponentName")
        name = name.rsplit("/", 1)[-1]
        source = store_for(self.current_account, self.region).trial_component_sources.get(name)
        if source is not None and isinstance(result, ActionResult) and isinstance(result.result, dict):
            body = dict(result.result)
            body["Source"] = source
            return ActionResult(body)
        return result

    return describe


def list_trial_components(self: BaseResponse) -> ActionResult:
    """ListTrialComponents honouring SourceArn, TrialName, the creation-time filters and sorting."""
    params = _params(self)
    validate_request("ListTrialComponents", params)
    if sum(1 for key in ("ExperimentName", "TrialName", "SourceArn") if params.get(key)) > 1:
        raise ValidationError("Only one of ExperimentName, TrialName or SourceArn can be given.")
    backend = self.sagemaker_backend  # type: ignore[attr-defined]
    sources = store_for(self.current_account, self.region).trial_component_sources
    created_after = _timestamp(params.get("CreatedAfter"))
    created_before = _timestamp(params.get("CreatedBefore"))
    components = []
    for component in list(backend.trial_components.values()):
        source = sources.get(component.trial_component_name)
        if params.get("SourceArn") and (source is None or source["SourceArn"] != params["SourceArn"]):
            continue
        if params.get("TrialName") and component.trial_name != params["TrialName"]:
            continue
        if created_after and component.creation_time <= created_after:
            continue
        if created_before and component.creation_time >= created_before:
            continue
        summary: dict[str, Any] = {
            "TrialComponentName": component.trial_component_name,
            "TrialComponentArn": component.arn,
            "DisplayName": component.display_name,
            "CreationTime": component.creation_time,
            "LastModifiedTime": component.last_modified_time,
        }
        if source is not None:
            summary["TrialComponentSource"] = source
        components.append(summary)
    if params.get("SortBy") == "Name":
        ordered = _sorted(components, lambda summary: summary["TrialComponentName"], params.get("SortOrder"))
    else:
        ordered = _sorted(components, lambda summary: summary["CreationTime"], params.get("SortOrder"))
    query = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    chunk, token = page(ordered, query, params.get("NextToken"), params.get("MaxResults") or DEFAULT_LIST_PAGE_SIZE)
    body: dict[str, Any] = {"TrialComponentSummaries": chunk}
    if token:
        body["NextToken"] = token
    return ActionResult(body)

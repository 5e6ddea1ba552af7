"""Job trial components as SageMaker creates them, which moto does not.

SageMaker creates a trial component named ``<job>-aws-<kind>-job`` for every training, processing and
transform job, with ``Source.SourceArn`` = the job ARN (SageMaker Developer Guide, "Amazon SageMaker
ML Lineage Tracking - automatically created entities"). The switch ``create_job_trial_components``
turns this off, so code can be tested against accounts where the component is missing. The kinds, names
and source types come from the recorder's one table of job kinds (``lineage_recorder.families.jobs``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lineage_recorder.apply.gateway import method_name
from lineage_recorder.families.jobs import JOB_KINDS as _KINDS
from lineage_recorder.families.jobs import JobKind
from moto.core.responses import ActionResult, BaseResponse

from sagemaker_lineage_emulator import settings
from sagemaker_lineage_emulator.errors import ResourceNotFound, ValidationError
from sagemaker_lineage_emulator.pagination import page
from sagemaker_lineage_emulator.responses import DEFAULT_LIST_PAGE_SIZE, _params, _sorted, _timestamp
from sagemaker_lineage_emulator.store import aware_utc, store_for
from sagemaker_lineage_emulator.validation import validate_request

# moto's response method that creates each kind of job -> the kind.
JOB_KINDS: dict[str, JobKind] = {method_name(kind.create_operation): kind for kind in _KINDS}


def with_trial_component(
    original: Callable[[BaseResponse], Any], method: str
) -> Callable[[BaseResponse], Any]:
    kind = JOB_KINDS[method]
    # moto keeps each kind's jobs in a backend collection named after it: training_jobs.
    collection = kind.resource_type.replace("-", "_") + "s"

    def create_job(self: BaseResponse) -> Any:
        result = original(self)
        if settings.current().create_job_trial_components:
            job_name = self._get_param(kind.name_field)
            backend = self.sagemaker_backend  # type: ignore[attr-defined]
            job_arn = getattr(backend, collection)[job_name].arn
            component_name = kind.trial_component_name(job_name)
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
                "SourceType": kind.trial_component_source_type,
            }
        return result

    return create_job


def describe_trial_component(self: BaseResponse) -> ActionResult:
    """DescribeTrialComponent by name or ARN, with the job ``Source`` moto does not keep.

    A missing component answers ResourceNotFound (API_DescribeTrialComponent's documented error);
    moto answers ValidationException and does not accept the ARN form.
    """
    requested = str(self._get_param("TrialComponentName") or "")
    name = requested.rsplit("/", 1)[-1] if requested.startswith("arn:") else requested
    backend = self.sagemaker_backend  # type: ignore[attr-defined]
    if name not in backend.trial_components:
        shown = (
            requested
            if requested.startswith("arn:")
            else (f"arn:aws:sagemaker:{self.region}:{self.current_account}:experiment-trial-component/{name}")
        )
        raise ResourceNotFound(f"Trial component '{shown}' does not exist.")
    body = dict(backend.describe_trial_component(name))
    source = store_for(self.current_account, self.region).trial_component_sources.get(name)
    if source is not None:
        body["Source"] = source
    return ActionResult(body)


def list_trial_components(self: BaseResponse) -> ActionResult:
    """ListTrialComponents honouring SourceArn, ExperimentName, TrialName, the time filters and sorting.

    moto's own ignores ExperimentName and SourceArn and compares naive datetimes; this replaces it.
    """
    params = _params(self)
    validate_request("ListTrialComponents", params)
    if sum(1 for key in ("ExperimentName", "TrialName", "SourceArn") if params.get(key)) > 1:
        raise ValidationError("Only one of ExperimentName, TrialName or SourceArn can be given.")
    backend = self.sagemaker_backend  # type: ignore[attr-defined]
    sources = store_for(self.current_account, self.region).trial_component_sources
    created_after = _timestamp(params.get("CreatedAfter"))
    created_before = _timestamp(params.get("CreatedBefore"))
    in_experiment: set[str] | None = None
    if params.get("ExperimentName"):
        in_experiment = {
            name
            for trial in list(backend.trials.values())
            if trial.experiment_name == params["ExperimentName"]
            for name in trial.trial_components
        }
    components = []
    for component in list(backend.trial_components.values()):
        source = sources.get(component.trial_component_name)
        created = aware_utc(component.creation_time)
        if params.get("SourceArn") and (source is None or source["SourceArn"] != params["SourceArn"]):
            continue
        if params.get("TrialName") and component.trial_name != params["TrialName"]:
            continue
        if in_experiment is not None and component.trial_component_name not in in_experiment:
            continue
        # "created after" / "created before" (API_ListTrialComponents): strict bounds.
        if created_after and created is not None and created <= created_after:
            continue
        if created_before and created is not None and created >= created_before:
            continue
        summary: dict[str, Any] = {
            "TrialComponentName": component.trial_component_name,
            "TrialComponentArn": component.arn,
            "DisplayName": component.display_name,
            "CreationTime": created,
            "LastModifiedTime": aware_utc(component.last_modified_time),
        }
        if component.status:
            summary["Status"] = component.status
        if source is not None:
            summary["TrialComponentSource"] = source
        components.append(summary)
    if params.get("SortBy") == "Name":
        ordered = _sorted(components, lambda summary: summary["TrialComponentName"], params.get("SortOrder"))
    else:
        ordered = _sorted(components, lambda summary: summary["CreationTime"], params.get("SortOrder"))
    query = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    chunk, token = page(
        ordered, query, params.get("NextToken"), params.get("MaxResults") or DEFAULT_LIST_PAGE_SIZE
    )
    body: dict[str, Any] = {"TrialComponentSummaries": chunk}
    if token:
        body["NextToken"] = token
    return ActionResult(body)


def with_creation_tags(original: Callable[[Any], Any]) -> Callable[[BaseResponse], Any]:
    """CreateTrialComponent keeps its ``Tags``, which moto drops (API_CreateTrialComponent Tags: "A list of
    tags to associate with the component"); ListTags and Search then see them."""

    def create_trial_component(self: BaseResponse) -> Any:
        result = original(self)
        tags = self._get_param("Tags") or []
        if tags:
            backend = self.sagemaker_backend  # type: ignore[attr-defined]
            component = backend.trial_components[self._get_param("TrialComponentName")]
            merged = {tag["Key"]: tag.get("Value", "") for tag in component.tags or []}
            merged.update({tag["Key"]: tag.get("Value", "") for tag in tags})
            component.tags = [{"Key": key, "Value": value} for key, value in merged.items()]
        return result

    return create_trial_component

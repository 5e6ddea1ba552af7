"""Inference components, which moto lacks and the emulator adds, and the endpoints that host them.

The documented rules each test holds the emulator to (SageMaker API reference unless said otherwise):

- API_CreateInferenceComponent: InferenceComponentName is "a unique name to assign to the inference
  component"; EndpointName "the name of an existing endpoint"; VariantName "the name of an existing
  production variant"; Specification.ModelName "the name of an existing SageMaker AI model object in your
  account"; Specifications: "You can use either this parameter or the singular Specification parameter,
  but not both"; Tags as for every SageMaker resource. Returns InferenceComponentArn
  (``arn:aws:sagemaker:<region>:<account>:inference-component/<name in lower case>``: CloudWatch's
  InferenceComponentName dimension matches the ARN only lower-cased,
  prometheus-community/yet-another-cloudwatch-exporter#1793).
- A variant that names a model cannot host components: "Inference Components are not supported in this
  Endpoint. Please make sure this endpoint can deploy inference components" (pulumi/pulumi-aws#4940);
  API_ProductionVariant ModelName is "Required: No", which is how an endpoint for components is declared.
- API_InferenceComponentSpecification BaseInferenceComponentName: an adapter component "uses the compute
  resources that you assigned to the base inference component"; it takes the base's variant and a base
  with adapters cannot be deleted (hashicorp/terraform-provider-aws#48894, run against SageMaker).
- API_DescribeInferenceComponent: the Specification is an InferenceComponentSpecificationSummary whose
  Container holds a DeployedImage (API_DeployedImage: SpecifiedImage, ResolvedImage "the specific digest
  path of the image", ResolutionTime), ArtifactUrl and Environment; RuntimeConfig is an
  InferenceComponentRuntimeConfigSummary (DesiredCopyCount, CurrentCopyCount); InferenceComponentStatus.
  A component that does not exist is a ValidationException "Could not find inference component" (what
  the SageMaker Python SDK's ModelBuilder._does_ic_exist and the Terraform provider look for).
- API_UpdateInferenceComponent: Specification, RuntimeConfig and DeploymentConfig (then described as
  LastDeploymentConfig); a request with neither a specification nor a runtime config is refused
  (terraform-provider-aws#48894). API_UpdateInferenceComponentRuntimeConfig: DesiredRuntimeConfig.CopyCount.
- API_DeleteInferenceComponent: the component is gone; describing it fails as for a missing one.
- API_ListInferenceComponents: NameContains, StatusEquals, EndpointNameEquals ("only those inference
  components that are hosted at the specified endpoint"), VariantNameEquals, CreationTimeAfter /
  CreationTimeBefore ("created after" / "before"); SortBy Name | CreationTime | Status, "The default is
  CreationTime"; SortOrder "The default is Descending"; MaxResults "defaults to 10"; botocore's
  paginators-1.json pages ListInferenceComponents on NextToken / MaxResults / InferenceComponents.
- API_CreateEndpointConfig / API_DescribeEndpoint: an endpoint for components (variants without a model,
  on GPU instance types such as ml.g5 from ProductionVariantInstanceType) is created and described; its
  variants list no DeployedImages of their own.

Creating endpoints and components is billed in real AWS, so those tests are emulator-only; the ones that
create nothing (a missing component, a missing endpoint, a bad name, an empty list) run against real
SageMaker too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from sagemaker_lineage_emulator import inference_components

EMULATOR_ONLY = "creates endpoints and inference components, which real AWS bills for"
IMAGE_REPOSITORY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve"
COMPUTE = {"NumberOfCpuCoresRequired": 1, "MinMemoryRequiredInMb": 1024}


@dataclass
class Hosting:
    """Models, endpoints for components and components for one test, named after its lineage uid."""

    sm: Any
    lineage: Any
    account: str

    def role(self) -> str:
        return f"arn:aws:iam::{self.account}:role/ContractRole"

    def model(self, image: str = f"{IMAGE_REPOSITORY}:1") -> str:
        name = self.lineage.name("model")
        self.sm.create_model(ModelName=name, ExecutionRoleArn=self.role(), PrimaryContainer={"Image": image})
        return name

    def endpoint(self, variants: tuple[str, ...] = ("AllTraffic",)) -> str:
        """An endpoint whose variants name no model, so they can host inference components."""
        config, endpoint = self.lineage.name("config"), self.lineage.name("ep")
        self.sm.create_endpoint_config(
            EndpointConfigName=config,
            ExecutionRoleArn=self.role(),
            ProductionVariants=[
                {
                    "VariantName": variant,
                    "InstanceType": "ml.g5.2xlarge",
                    "InitialInstanceCount": 1,
                    "ManagedInstanceScaling": {
                        "Status": "ENABLED",
                        "MinInstanceCount": 1,
                        "MaxInstanceCount": 2,
                    },
                    "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
                }
                for variant in variants
            ],
        )
        self.sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
        return endpoint

    def component(
        self,
        endpoint: str,
        *,
        name: str | None = None,
        variant: str | None = "AllTraffic",
        specification: dict[str, Any] | None = None,
        copies: int = 1,
        **extra: Any,
    ) -> str:
        """Create a component (by default of a new model) and return its name."""
        name = name or self.lineage.name("ic")
        request: dict[str, Any] = {
            "InferenceComponentName": name,
            "EndpointName": endpoint,
            "Specification": specification
            or {"ModelName": self.model(), "ComputeResourceRequirements": COMPUTE},
            "RuntimeConfig": {"CopyCount": copies},
            **extra,
        }
        if variant is not None:
            request["VariantName"] = variant
        self.sm.create_inference_component(**request)
        return name


@pytest.fixture
def hosting(sagemaker, lineage, account) -> Hosting:
    return Hosting(sagemaker, lineage, account)


def _names(page: dict[str, Any]) -> list[str]:
    return [summary["InferenceComponentName"] for summary in page["InferenceComponents"]]


# ------------------------------------------------------------------------ create / describe
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_model_based_component_is_described_as_created(hosting, sagemaker, account):
    # Given an endpoint for components and a model
    endpoint = hosting.endpoint()
    model = hosting.model()
    name = hosting.lineage.name("IC")

    # When
    arn = sagemaker.create_inference_component(
        InferenceComponentName=name,
        EndpointName=endpoint,
        VariantName="AllTraffic",
        Specification={
            "ModelName": model,
            "ComputeResourceRequirements": COMPUTE,
            "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 600},
        },
        RuntimeConfig={"CopyCount": 2},
    )["InferenceComponentArn"]

    # Then: the ARN names the component in lower case, and Describe returns what was asked for
    assert arn == f"arn:aws:sagemaker:us-east-1:{account}:inference-component/{name.lower()}"
    described = sagemaker.describe_inference_component(InferenceComponentName=name)
    assert described["InferenceComponentName"] == name
    assert described["InferenceComponentArn"] == arn
    assert described["EndpointName"] == endpoint
    assert described["EndpointArn"] == sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointArn"]
    assert described["VariantName"] == "AllTraffic"
    assert described["InferenceComponentStatus"] == "InService"
    assert described["Specification"] == {
        "ModelName": model,
        "ComputeResourceRequirements": COMPUTE,
        "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 600},
    }
    assert described["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}
    assert described["CreationTime"] == described["LastModifiedTime"]
    assert "FailureReason" not in described


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_container_based_component_describes_its_image_resolved_to_a_digest(hosting, sagemaker):
    # Given
    endpoint = hosting.endpoint()
    container = {
        "Image": f"{IMAGE_REPOSITORY}:2",
        "ArtifactUrl": "s3://contract-models/llm/model.tar.gz",
        "Environment": {"OPTION_MAX_TOKENS": "512"},
    }

    # When
    name = hosting.component(
        endpoint, specification={"Container": container, "ComputeResourceRequirements": COMPUTE}
    )

    # Then: the tag is resolved to a digest of the same repository, stably
    summary = sagemaker.describe_inference_component(InferenceComponentName=name)["Specification"][
        "Container"
    ]
    deployed = summary["DeployedImage"]
    assert deployed["SpecifiedImage"] == f"{IMAGE_REPOSITORY}:2"
    assert deployed["ResolvedImage"].startswith(f"{IMAGE_REPOSITORY}@sha256:")
    assert len(deployed["ResolvedImage"].rsplit(":", 1)[1]) == 64
    assert "ResolutionTime" in deployed
    assert summary["ArtifactUrl"] == container["ArtifactUrl"]
    assert summary["Environment"] == container["Environment"]
    assert "Image" not in summary
    again = sagemaker.describe_inference_component(InferenceComponentName=name)["Specification"]["Container"]
    assert again["DeployedImage"] == deployed


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_an_image_named_by_digest_resolves_to_itself(hosting, sagemaker):
    # Given
    endpoint = hosting.endpoint()
    pinned = f"{IMAGE_REPOSITORY}@sha256:{'a' * 64}"

    # When
    name = hosting.component(
        endpoint, specification={"Container": {"Image": pinned}, "ComputeResourceRequirements": COMPUTE}
    )

    # Then
    deployed = sagemaker.describe_inference_component(InferenceComponentName=name)["Specification"][
        "Container"
    ]["DeployedImage"]
    assert deployed["SpecifiedImage"] == deployed["ResolvedImage"] == pinned


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_tags_given_at_creation_are_listed_and_can_be_changed(hosting, sagemaker):
    # Given
    endpoint = hosting.endpoint()
    name = hosting.component(endpoint, Tags=[{"Key": "team", "Value": "lineage"}])
    arn = sagemaker.describe_inference_component(InferenceComponentName=name)["InferenceComponentArn"]

    # When
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "test"}])
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["team"])

    # Then
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "stage", "Value": "test"}]


# ------------------------------------------------------------------------------- errors
def test_describing_a_missing_component_is_a_validation_error(sagemaker, lineage, raises_aws):
    # Given a name no component has
    name = lineage.name("missing")

    # When / Then
    with raises_aws("ValidationException", "could not find inference component"):
        sagemaker.describe_inference_component(InferenceComponentName=name)


def test_a_component_on_a_missing_endpoint_is_a_validation_error(sagemaker, lineage, raises_aws):
    # Given an endpoint name no endpoint has
    endpoint = lineage.name("missing-ep")

    # When / Then
    with raises_aws("ValidationException", "endpoint"):
        sagemaker.create_inference_component(
            InferenceComponentName=lineage.name("ic"),
            EndpointName=endpoint,
            VariantName="AllTraffic",
            Specification={
                "Container": {"Image": f"{IMAGE_REPOSITORY}:1"},
                "ComputeResourceRequirements": COMPUTE,
            },
            RuntimeConfig={"CopyCount": 1},
        )


@pytest.mark.parametrize("name", ["bad_name", "-leading-dash", "trailing-dash-", "a" * 64])
def test_a_component_name_outside_the_documented_pattern_is_refused(unvalidated_sagemaker, raises_aws, name):
    """botocore model: InferenceComponentName ``max: 63``,
    pattern ``[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?``."""
    # When / Then
    with raises_aws("ValidationException", "inferenceComponentName"):
        unvalidated_sagemaker.create_inference_component(
            InferenceComponentName=name,
            EndpointName="contract-endpoint",
            VariantName="AllTraffic",
            Specification={
                "Container": {"Image": f"{IMAGE_REPOSITORY}:1"},
                "ComputeResourceRequirements": COMPUTE,
            },
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_component_on_a_missing_variant_is_a_validation_error(hosting, raises_aws):
    # Given an endpoint whose only variant is AllTraffic
    endpoint = hosting.endpoint()

    # When / Then
    with raises_aws("ValidationException", "variant"):
        hosting.component(endpoint, variant="Canary")


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_component_of_a_missing_model_is_a_validation_error(hosting, raises_aws):
    # Given
    endpoint = hosting.endpoint()
    missing = hosting.lineage.name("missing-model")

    # When / Then
    with raises_aws("ValidationException", "could not find model"):
        hosting.component(
            endpoint, specification={"ModelName": missing, "ComputeResourceRequirements": COMPUTE}
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
@pytest.mark.parametrize("second_name", ["same", "SAME"])
def test_a_second_component_of_the_same_name_is_a_validation_error(hosting, raises_aws, second_name):
    """The ARN names the component in lower case, so names that differ only in case collide too."""
    # Given
    endpoint = hosting.endpoint()
    first = hosting.component(endpoint, name=hosting.lineage.name("same"))
    second = first.replace("same", second_name)

    # When / Then
    with raises_aws("ValidationException", "already existing inference component"):
        hosting.component(endpoint, name=second)


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_component_needs_a_variant_name(hosting, raises_aws):
    # Given
    endpoint = hosting.endpoint()

    # When / Then
    with raises_aws("ValidationException", "variantName"):
        hosting.component(endpoint, variant=None)


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_specification_and_specifications_together_are_refused(hosting, raises_aws):
    # Given
    endpoint = hosting.endpoint()
    specification = {"Container": {"Image": f"{IMAGE_REPOSITORY}:1"}, "ComputeResourceRequirements": COMPUTE}

    # When / Then
    with raises_aws("ValidationException", "not both"):
        hosting.component(
            endpoint,
            specification=specification,
            Specifications=[{**specification, "InstanceType": "ml.g5.2xlarge"}],
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_variant_that_hosts_a_model_cannot_host_components(hosting, sagemaker, raises_aws):
    # Given an endpoint whose variant names a model
    model, config, endpoint = hosting.model(), hosting.lineage.name("config"), hosting.lineage.name("ep")
    sagemaker.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)

    # When / Then
    with raises_aws("ValidationException", "Inference Components are not supported in this Endpoint"):
        hosting.component(endpoint)


# ------------------------------------------------------------------------------ adapters
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_an_adapter_takes_its_base_components_variant_and_compute(hosting, sagemaker):
    # Given a base component
    endpoint = hosting.endpoint()
    base = hosting.component(endpoint)

    # When an adapter is created without a variant or compute requirements of its own
    adapter = hosting.component(
        endpoint,
        variant=None,
        specification={
            "BaseInferenceComponentName": base,
            "Container": {"ArtifactUrl": "s3://contract-models/adapters/a.tar.gz"},
        },
    )

    # Then
    described = sagemaker.describe_inference_component(InferenceComponentName=adapter)
    assert described["VariantName"] == "AllTraffic"
    assert described["Specification"]["BaseInferenceComponentName"] == base
    assert described["Specification"]["ComputeResourceRequirements"] == COMPUTE
    assert described["Specification"]["Container"] == {
        "ArtifactUrl": "s3://contract-models/adapters/a.tar.gz"
    }


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_an_adapter_cannot_name_a_variant_nor_a_missing_base(hosting, raises_aws):
    # Given
    endpoint = hosting.endpoint()
    base = hosting.component(endpoint)
    adapter = {"Container": {"ArtifactUrl": "s3://contract-models/adapters/a.tar.gz"}}

    # When / Then
    with raises_aws("ValidationException", "VariantName"):
        hosting.component(endpoint, specification={**adapter, "BaseInferenceComponentName": base})
    with raises_aws("ValidationException", "could not find inference component"):
        hosting.component(
            endpoint,
            variant=None,
            specification={**adapter, "BaseInferenceComponentName": hosting.lineage.name("missing")},
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_base_component_with_adapters_cannot_be_deleted(hosting, sagemaker, raises_aws):
    # Given a base component with an adapter
    endpoint = hosting.endpoint()
    base = hosting.component(endpoint)
    adapter = hosting.component(
        endpoint,
        variant=None,
        specification={
            "BaseInferenceComponentName": base,
            "Container": {"ArtifactUrl": "s3://contract/a.tar.gz"},
        },
    )

    # When / Then: refused while the adapter exists, accepted once it is gone
    with raises_aws("ValidationException", "is a base inference component"):
        sagemaker.delete_inference_component(InferenceComponentName=base)
    sagemaker.delete_inference_component(InferenceComponentName=adapter)
    sagemaker.delete_inference_component(InferenceComponentName=base)


# ------------------------------------------------------------------------------- update
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_update_replaces_the_specification_and_moves_last_modified_time(hosting, sagemaker):
    # Given a component on image :1
    endpoint = hosting.endpoint()
    name = hosting.component(
        endpoint,
        specification={
            "Container": {"Image": f"{IMAGE_REPOSITORY}:1"},
            "ComputeResourceRequirements": COMPUTE,
        },
    )
    before = sagemaker.describe_inference_component(InferenceComponentName=name)
    time.sleep(0.005)
    deployment = {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1},
            "WaitIntervalInSeconds": 0,
        }
    }

    # When it is moved to image :2 with more memory
    arn = sagemaker.update_inference_component(
        InferenceComponentName=name,
        Specification={
            "Container": {"Image": f"{IMAGE_REPOSITORY}:2"},
            "ComputeResourceRequirements": {**COMPUTE, "MinMemoryRequiredInMb": 2048},
        },
        DeploymentConfig=deployment,
    )["InferenceComponentArn"]

    # Then
    after = sagemaker.describe_inference_component(InferenceComponentName=name)
    assert arn == before["InferenceComponentArn"]
    deployed = after["Specification"]["Container"]["DeployedImage"]
    assert deployed["SpecifiedImage"] == f"{IMAGE_REPOSITORY}:2"
    assert deployed["ResolvedImage"] != before["Specification"]["Container"]["DeployedImage"]["ResolvedImage"]
    assert (
        deployed["ResolutionTime"] > before["Specification"]["Container"]["DeployedImage"]["ResolutionTime"]
    )
    assert after["Specification"]["ComputeResourceRequirements"]["MinMemoryRequiredInMb"] == 2048
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    assert after["CreationTime"] == before["CreationTime"]
    assert after["LastDeploymentConfig"] == deployment
    assert after["RuntimeConfig"] == before["RuntimeConfig"]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_update_can_change_the_copy_count_alone(hosting, sagemaker):
    # Given
    endpoint = hosting.endpoint()
    name = hosting.component(endpoint, copies=1)
    before = sagemaker.describe_inference_component(InferenceComponentName=name)

    # When
    sagemaker.update_inference_component(InferenceComponentName=name, RuntimeConfig={"CopyCount": 3})

    # Then: the specification is untouched
    after = sagemaker.describe_inference_component(InferenceComponentName=name)
    assert after["RuntimeConfig"] == {"DesiredCopyCount": 3, "CurrentCopyCount": 3}
    assert after["Specification"] == before["Specification"]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_update_without_a_specification_or_runtime_config_is_refused(hosting, sagemaker, raises_aws):
    # Given
    endpoint = hosting.endpoint()
    name = hosting.component(endpoint)

    # When / Then
    with raises_aws("ValidationException"):
        sagemaker.update_inference_component(InferenceComponentName=name)


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_update_to_a_missing_model_is_a_validation_error(hosting, sagemaker, raises_aws):
    # Given
    endpoint = hosting.endpoint()
    name = hosting.component(endpoint)

    # When / Then
    with raises_aws("ValidationException", "could not find model"):
        sagemaker.update_inference_component(
            InferenceComponentName=name,
            Specification={
                "ModelName": hosting.lineage.name("missing-model"),
                "ComputeResourceRequirements": COMPUTE,
            },
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_runtime_config_update_changes_the_copies(hosting, sagemaker):
    # Given a component with one copy
    endpoint = hosting.endpoint()
    name = hosting.component(endpoint, copies=1)
    before = sagemaker.describe_inference_component(InferenceComponentName=name)
    time.sleep(0.005)

    # When
    arn = sagemaker.update_inference_component_runtime_config(
        InferenceComponentName=name, DesiredRuntimeConfig={"CopyCount": 4}
    )["InferenceComponentArn"]

    # Then
    after = sagemaker.describe_inference_component(InferenceComponentName=name)
    assert arn == before["InferenceComponentArn"]
    assert after["RuntimeConfig"] == {"DesiredCopyCount": 4, "CurrentCopyCount": 4}
    assert after["LastModifiedTime"] > before["LastModifiedTime"]


def test_updating_a_missing_component_is_a_validation_error(sagemaker, lineage, raises_aws):
    # Given
    name = lineage.name("missing")

    # When / Then
    with raises_aws("ValidationException", "could not find inference component"):
        sagemaker.update_inference_component_runtime_config(
            InferenceComponentName=name, DesiredRuntimeConfig={"CopyCount": 1}
        )


# ------------------------------------------------------------------------------- delete
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_deleted_component_is_gone(hosting, sagemaker, raises_aws):
    # Given
    endpoint = hosting.endpoint()
    name = hosting.component(endpoint)

    # When
    sagemaker.delete_inference_component(InferenceComponentName=name)

    # Then
    with raises_aws("ValidationException", "could not find inference component"):
        sagemaker.describe_inference_component(InferenceComponentName=name)
    assert _names(sagemaker.list_inference_components(EndpointNameEquals=endpoint)) == []


def test_deleting_a_missing_component_is_a_validation_error(sagemaker, lineage, raises_aws):
    # When / Then
    with raises_aws("ValidationException", "could not find inference component"):
        sagemaker.delete_inference_component(InferenceComponentName=lineage.name("missing"))


# --------------------------------------------------------------------------------- list
def test_listing_by_a_name_nothing_contains_is_empty(sagemaker, lineage):
    # When
    page = sagemaker.list_inference_components(NameContains=lineage.name("nothing"))

    # Then
    assert page["InferenceComponents"] == []
    assert "NextToken" not in page


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_list_filters_by_endpoint_and_variant(hosting, sagemaker):
    # Given components on two variants of one endpoint and on another endpoint
    first = hosting.endpoint(variants=("Blue", "Green"))
    second = hosting.endpoint()
    blue = hosting.component(first, variant="Blue")
    green = hosting.component(first, variant="Green")
    elsewhere = hosting.component(second)

    # When
    on_first = _names(sagemaker.list_inference_components(EndpointNameEquals=first))
    on_green = _names(
        sagemaker.list_inference_components(EndpointNameEquals=first, VariantNameEquals="Green")
    )
    on_second = sagemaker.list_inference_components(EndpointNameEquals=second)["InferenceComponents"]

    # Then
    assert sorted(on_first) == sorted([blue, green])
    assert on_green == [green]
    assert [summary["InferenceComponentName"] for summary in on_second] == [elsewhere]
    (summary,) = on_second
    described = sagemaker.describe_inference_component(InferenceComponentName=elsewhere)
    assert summary == {
        key: described[key]
        for key in (
            "CreationTime",
            "InferenceComponentArn",
            "InferenceComponentName",
            "EndpointArn",
            "EndpointName",
            "VariantName",
            "InferenceComponentStatus",
            "LastModifiedTime",
        )
    }


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_list_filters_by_name_and_status(hosting, sagemaker):
    # Given
    endpoint = hosting.endpoint()
    chat = hosting.component(endpoint, name=hosting.lineage.name("chat"))
    hosting.component(endpoint, name=hosting.lineage.name("embed"))

    # When
    by_name = _names(sagemaker.list_inference_components(NameContains=f"{hosting.lineage.uid}-chat"))
    in_service = _names(
        sagemaker.list_inference_components(EndpointNameEquals=endpoint, StatusEquals="InService")
    )
    failed = _names(sagemaker.list_inference_components(EndpointNameEquals=endpoint, StatusEquals="Failed"))

    # Then
    assert by_name == [chat]
    assert len(in_service) == 2
    assert failed == []


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_list_sorts_newest_first_by_default_and_by_name_on_request(hosting, sagemaker):
    # Given three components created apart, named against their order of creation
    endpoint = hosting.endpoint()
    created = []
    for stem in ("c", "a", "b"):
        created.append(hosting.component(endpoint, name=f"ct-{hosting.lineage.uid}-{stem}"))
        time.sleep(0.005)

    # When
    default = _names(sagemaker.list_inference_components(EndpointNameEquals=endpoint))
    oldest_first = _names(
        sagemaker.list_inference_components(EndpointNameEquals=endpoint, SortOrder="Ascending")
    )
    by_name = _names(
        sagemaker.list_inference_components(EndpointNameEquals=endpoint, SortBy="Name", SortOrder="Ascending")
    )

    # Then
    assert default == list(reversed(created))
    assert oldest_first == created
    assert by_name == sorted(created)


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_creation_time_bounds_are_strict(hosting, sagemaker):
    # Given three components created apart
    endpoint = hosting.endpoint()
    names = []
    for _ in range(3):
        names.append(hosting.component(endpoint))
        time.sleep(0.005)
    middle = sagemaker.describe_inference_component(InferenceComponentName=names[1])["CreationTime"]

    # When
    after = _names(sagemaker.list_inference_components(EndpointNameEquals=endpoint, CreationTimeAfter=middle))
    before = _names(
        sagemaker.list_inference_components(EndpointNameEquals=endpoint, CreationTimeBefore=middle)
    )

    # Then
    assert after == [names[2]]
    assert before == [names[0]]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_list_pages_by_ten_by_default_and_the_paginator_walks_every_page(hosting, sagemaker):
    # Given twelve components
    endpoint = hosting.endpoint()
    created = {hosting.component(endpoint) for _ in range(12)}

    # When
    first = sagemaker.list_inference_components(EndpointNameEquals=endpoint)
    pages = list(
        sagemaker.get_paginator("list_inference_components").paginate(
            EndpointNameEquals=endpoint, PaginationConfig={"PageSize": 5}
        )
    )

    # Then
    assert len(first["InferenceComponents"]) == 10
    assert "NextToken" in first
    assert [len(page["InferenceComponents"]) for page in pages] == [5, 5, 2]
    assert {name for page in pages for name in _names(page)} == created


# ----------------------------------------------------------------- endpoints and state
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_an_endpoint_for_components_is_described_without_images_of_its_own(hosting, sagemaker):
    # Given an endpoint config whose variant names no model, on a GPU instance type
    endpoint = hosting.endpoint()

    # When
    described = sagemaker.describe_endpoint(EndpointName=endpoint)
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])

    # Then
    (variant,) = described["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert not variant.get("DeployedImages")
    assert "ModelName" not in config["ProductionVariants"][0]
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.g5.2xlarge"


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_an_endpoint_config_still_needs_the_models_it_names(sagemaker, lineage, raises_aws):
    # When / Then
    with raises_aws("ValidationException", "could not find model"):
        sagemaker.create_endpoint_config(
            EndpointConfigName=lineage.name("config"),
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": lineage.name("missing-model"),
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.g5.2xlarge",
                }
            ],
        )


def test_an_instance_type_outside_the_documented_enum_is_refused(sagemaker, lineage, raises_aws):
    """botocore model: ProductionVariant InstanceType is a ProductionVariantInstanceType enum."""
    # When / Then
    with raises_aws("ValidationException", "instanceType"):
        sagemaker.create_endpoint_config(
            EndpointConfigName=lineage.name("config"),
            ProductionVariants=[
                {"VariantName": "AllTraffic", "InitialInstanceCount": 1, "InstanceType": "ml.bogus.large"}
            ],
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_components_belong_to_their_account(backend, hosting, sagemaker):
    # Given a component in this account
    endpoint = hosting.endpoint()
    name = hosting.component(endpoint)
    peer = backend.client("sagemaker", credentials=backend.peer_credentials())

    # When
    listed = _names(peer.list_inference_components(NameContains=hosting.lineage.uid))

    # Then
    assert listed == []
    assert _names(sagemaker.list_inference_components(NameContains=hosting.lineage.uid)) == [name]


@pytest.mark.emulator_only("resets the emulator's state")
def test_resetting_the_emulator_drops_components(backend, hosting, sagemaker, raises_aws):
    # Given
    endpoint = hosting.endpoint()
    name = hosting.component(endpoint)

    # When
    backend.reset()

    # Then
    with raises_aws("ValidationException", "could not find inference component"):
        sagemaker.describe_inference_component(InferenceComponentName=name)


def test_the_emulator_serves_every_inference_component_operation():
    """Each operation of the model is served by a handler (moto would answer an HTML 500)."""
    operations = {
        "CreateInferenceComponent",
        "DescribeInferenceComponent",
        "UpdateInferenceComponent",
        "UpdateInferenceComponentRuntimeConfig",
        "DeleteInferenceComponent",
        "ListInferenceComponents",
    }
    served = {
        "".join(part.capitalize() for part in method.split("_")) for method in inference_components.HANDLERS
    }
    assert served == operations

"""The base of every resource description model: unknown fields kept, optional fields may be null."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# The start of every SageMaker ARN the recorder accepts. Bounded, so that no accepted ARN exceeds the
# 256 characters SageMaker's APIs take, and [0-9] rather than \d, which pydantic's Unicode-aware regex
# engine would let match other scripts' digits.
SAGEMAKER_ARN_PREFIX = r"^arn:aws[a-z\-]{0,16}:sagemaker:[a-z0-9\-]{1,32}:[0-9]{12}:"
# botocore's pattern for the names of models, endpoints, endpoint configs, jobs (max 63).
RESOURCE_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
MODEL_NAME_PATTERN = r"^[a-zA-Z0-9]([\-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$"


class Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

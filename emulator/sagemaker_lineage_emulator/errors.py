"""SageMaker error codes the lineage extension answers with, serialised by moto like its own errors."""

from __future__ import annotations

from moto.core.exceptions import ServiceException


class ValidationError(ServiceException):
    code = "ValidationException"


class ResourceNotFound(ServiceException):
    code = "ResourceNotFound"


class ResourceLimitExceeded(ServiceException):
    code = "ResourceLimitExceeded"


class ThrottlingError(ServiceException):
    code = "ThrottlingException"

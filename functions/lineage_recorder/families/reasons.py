"""Why a field that names data, code or a resource is not lineage: the reasons families give in
``DescribeCall.not_lineage`` (tests/unit/test_complete_or_loud.py holds every other such field to be
recorded or skipped with its reason)."""

from __future__ import annotations

INSIDE_THE_CONTAINER = (
    "a path inside the container, where SageMaker put or took the data recorded by its S3 field"
)
IDENTITY = "the IAM identity the work ran as: who, not data or code (CloudTrail records who did what)"
CREDENTIALS = "credentials to pull from a private registry, not the image (which is recorded)"
MANIFEST = "a manifest listing the files under the S3Uri beside it, which is recorded"
METRICS_PATH = "an HTTP path the container serves its metrics on"
STARTED_BY = (
    "the job that started this one; that job's own family links them (tuning, AutoML, labeling and "
    "monitoring jobs have no family yet)"
)
DIAGNOSTICS = "Debugger or Profiler diagnostics about the job: not data or code its model came from"
CAPACITY = "reserved capacity the work ran on, not what it ran"
NEAREST_MODEL = (
    "a well-known model named to compare against (inference recommendations), not part of this one"
)

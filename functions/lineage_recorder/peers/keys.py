"""Which entity keys are meaningful across accounts, and which peer to ask first.

Linked (the same string names the same thing from any account):
- S3 URIs (``s3://`` and the ``https://`` form SageMaker accepts);
- ECR image URIs (``<account>.dkr.ecr.<region>.amazonaws.com/...``); the registry's account, when it is a
  peer, is asked first;
- SageMaker ARNs that name another account (a model package in a registry account, deployed here); the
  owning account, when it is a peer, is asked first;
- this account's own model package and model package group ARNs: other accounts deploy or reference
  them, so the owner looks for their twins too (otherwise the order of recording would matter).

Never linked (account-local, or meaningless elsewhere): endpoint ARNs and the endpoint deployment keys
derived from them (``<endpoint ARN>?endpoint-config=...``), every other ARN of this account (job ARNs,
trial components), and values of any other shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lineage_recorder.plan import EntityKey

_S3 = re.compile(r"(s3|https)://")
_ECR_IMAGE = re.compile(r"(?P<account>[0-9]{12})\.dkr\.ecr\.[a-z0-9\-]+\.amazonaws\.com(\.cn)?/")
_ARN = re.compile(r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]+:(?P<account>[0-9]{12}):(?P<type>[a-z\-]+)/")

# Resource types whose ARN is never a cross-account key, whoever owns it.
LOCAL_ARN_TYPES = frozenset({"endpoint", "endpoint-config", "experiment-trial-component"})
# This account's ARNs of these types are used by other accounts (model registry sharing).
SHARED_ARN_TYPES = frozenset({"model-package", "model-package-group"})


def owner_account(source_uri: str) -> str | None:
    """The account a SageMaker ARN or an ECR image URI names; None for anything else (S3 URIs)."""
    for pattern in (_ARN, _ECR_IMAGE):
        match = pattern.match(source_uri)
        if match:
            return match.group("account")
    return None


def is_linkable(key: EntityKey, own_account: str) -> bool:
    """True when ``key`` may have a twin in another account worth a SameAs link."""
    uri = key.source_uri
    arn = _ARN.match(uri)
    if arn:
        if arn.group("type") in LOCAL_ARN_TYPES or "?" in uri:
            return False
        return arn.group("account") != own_account or arn.group("type") in SHARED_ARN_TYPES
    if uri.startswith("arn:"):
        return False
    return bool(_S3.match(uri) or _ECR_IMAGE.match(uri))


def peers_to_ask(key: EntityKey, own_account: str, peers: Iterable[str]) -> list[str]:
    """The configured peers to look in for ``key``'s twin: the owning peer first, then the others.

    Only configured peers are ever returned: an account that owns the key but is not configured is
    never contacted.
    """
    ordered = sorted(set(peers) - {own_account})
    owner = owner_account(key.source_uri)
    if owner in ordered:
        ordered.remove(owner)
        ordered.insert(0, owner)
    return ordered

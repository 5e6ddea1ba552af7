"""Validating OpenLineage events against the specification's JSON schemas (tests/fixtures/openlineage_spec).

An event is checked against ``OpenLineage.json#/$defs/RunEvent``, and each facet against the schema its
own ``_schemaURL`` names (the core schema only checks that a facet has ``_producer`` and ``_schemaURL``),
as OpenLineage's own tests do. Formats (uuid, date-time, uri) are checked too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SPEC = Path(__file__).resolve().parent.parent / "fixtures" / "openlineage_spec"


def _registry() -> Registry:
    resources = []
    for path in sorted(SPEC.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
RUN_EVENT = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def _validator(reference: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": reference}, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _facets(event: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [*event["run"].get("facets", {}).items(), *event["job"].get("facets", {}).items()]
    for dataset in [*event.get("inputs", []), *event.get("outputs", [])]:
        found += list(dataset.get("facets", {}).items())
        found += list(dataset.get("inputFacets", {}).items())
        found += list(dataset.get("outputFacets", {}).items())
    return found


def problems(event: dict[str, Any]) -> list[str]:
    """Every way `event` breaks the specification (empty when it validates)."""
    found = [f"RunEvent: {error.message}" for error in _validator(RUN_EVENT).iter_errors(event)]
    if event.get("schemaURL") != RUN_EVENT:
        found.append(f"schemaURL {event.get('schemaURL')!r} is not {RUN_EVENT}")
    for key, facet in _facets(event):
        url = facet.get("_schemaURL", "")
        if url.split("#", 1)[0] not in REGISTRY:
            found.append(f"facet {key}: no schema here for {url!r}")
            continue
        document = url.split("#", 1)[0]
        # A facet file's root schema holds the facet under its key ({"parent": ParentRunFacet}).
        found += [f"facet {key}: {error.message}" for error in _validator(document).iter_errors({key: facet})]
    return found

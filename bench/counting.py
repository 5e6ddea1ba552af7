"""Counts AWS API calls by service and operation, with a botocore ``before-call`` hook.

The hook is added to botocore's built-in handlers, which every botocore session registers when it is
created: so it sees the calls of every client created afterwards, including the recorder's own cached
clients (``lineage_recorder.aws.client`` builds each one from a fresh session) and any client the
recorder makes for DynamoDB or peer accounts. It counts only inside :meth:`CallCounter.counting`, so the
calls the workload makes to set up the estate (create jobs, describe them for events) are never counted.
``before-call`` fires once per API call, not per retry attempt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers

SAGEMAKER = "sagemaker"
WRITE_PREFIXES = ("Create", "Add", "Update", "Delete", "Put", "Associate", "Disassociate")


def is_write(operation: str) -> bool:
    """Create*, Add*, Update*, Delete*, Put*, (Dis)Associate* write; everything else reads."""
    return operation.startswith(WRITE_PREFIXES)


@dataclass
class CallLog:
    """Calls counted by (service, operation)."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, other: CallLog) -> None:
        self.counts.update(other.counts)

    def of(self, service: str) -> Counter[str]:
        return Counter({op: n for (svc, op), n in self.counts.items() if svc == service})

    @property
    def sagemaker(self) -> int:
        return sum(self.of(SAGEMAKER).values())

    @property
    def sagemaker_writes(self) -> int:
        return sum(n for op, n in self.of(SAGEMAKER).items() if is_write(op))

    @property
    def sagemaker_reads(self) -> int:
        return self.sagemaker - self.sagemaker_writes

    def other_services(self) -> dict[str, dict[str, int]]:
        services = sorted({svc for svc, _ in self.counts if svc != SAGEMAKER})
        return {svc: dict(sorted(self.of(svc).items())) for svc in services}


class CallCounter:
    def __init__(self) -> None:
        self._log: CallLog | None = None
        self._installed = False

    def install(self) -> None:
        """Register the hook for every botocore session created from now on. Call before any client."""
        if not self._installed:
            botocore.handlers.BUILTIN_HANDLERS.append(("before-call", self._before_call))
            self._installed = True

    @contextmanager
    def counting(self, log: CallLog) -> Iterator[CallLog]:
        if not self._installed:
            raise RuntimeError("CallCounter.install() must run before any client is created")
        previous, self._log = self._log, log
        try:
            yield log
        finally:
            self._log = previous

    def _before_call(self, model: Any, **_: Any) -> None:
        # Returns None: a value would short-circuit the call (botocore's emit_until_response).
        if self._log is not None:
            self._log.counts[(str(model.service_model.service_name), str(model.name))] += 1


COUNTER = CallCounter()

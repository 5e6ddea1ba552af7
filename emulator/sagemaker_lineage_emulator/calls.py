"""Running one SageMaker operation from inside another, as SageMaker's own services do.

A hyperparameter tuning job starts training jobs, a pipeline step creates a job, a model or a model
package. The emulator creates them by calling the operation's handler with the request SageMaker would
send, on the same ``SageMakerResponse`` (so the same account, Region and backend): whatever the emulator
adds to that operation (the job's trial component, its checks) then applies to these resources too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.responses import ActionResult, BaseResponse
from moto.sagemaker.responses import SageMakerResponse


@contextmanager
def _as_request(response: BaseResponse, params: dict[str, Any]) -> Iterator[None]:
    """Let ``response`` read ``params`` as its request (moto reads ``params``; the emulator the body)."""
    saved_body, saved_params = response.body, getattr(response, "params", None)
    response.body = json.dumps(params, default=str)
    response.params = dict(params)
    try:
        yield
    finally:
        response.body = saved_body
        response.params = saved_params


def call(response: BaseResponse, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """Answer ``params`` with the handler of ``method`` (moto's name: ``create_training_job``).

    The handler is looked up at call time, so it is the emulator's when the emulator wraps it. Errors
    are raised as the handler raises them (a ``ServiceException`` for SageMaker's own errors).
    """
    handler = getattr(SageMakerResponse, method)
    with _as_request(response, params):
        result = handler(response)
    answer = result.result if isinstance(result, ActionResult) else None
    return dict(answer) if isinstance(answer, dict) else {}

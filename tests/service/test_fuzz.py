"""Property-based fuzzing of the whole OpenAPI surface with schemathesis: never a 5xx.

Runs against the ASGI app in process with a valid key: valid (positive) and invalid
(negative) requests, a few per operation, so the file adds well under a minute to
the session.  (Schemathesis' lazy pytest integration does not run under pytest 9,
so the operations are walked here with plain Hypothesis.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.schemas import BaseSchema

from tests.service.conftest import AUTH, MakeService

MAX_EXAMPLES = 15


@pytest.fixture(scope="session")
def api_schema(make_service: MakeService) -> BaseSchema:
    service = make_service()
    return schemathesis.openapi.from_asgi("/openapi.json", service.app, headers=AUTH)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(api_schema: BaseSchema, mode: GenerationMode) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    failures: list[str] = []
    without_inputs: list[str] = []
    statuses: dict[int, int] = {}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=AUTH)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

        try:
            run()
        except Unsatisfiable:
            # No invalid request exists for an operation without inputs (e.g. /catalog).
            assert mode is GenerationMode.NEGATIVE, operation.label
            without_inputs.append(operation.label)
    assert not failures, failures
    assert len(without_inputs) < len(operations) / 2, without_inputs
    assert 401 not in statuses, "the key was not sent: the fuzzing tested nothing"
    answered = sum(n for code, n in statuses.items() if code < 300)
    if mode is GenerationMode.POSITIVE:
        assert answered >= len(operations), statuses

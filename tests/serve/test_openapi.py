"""The published OpenAPI document: the committed copy matches the code, and the API, fuzzed from
its own document, never answers 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mirloop.serve.openapi import amper_document, dumps, openapi_document
from mirloop.serve.testing import ServerProcess
from tests.serve.conftest import start_server

COMMITTED = Path(__file__).parents[2] / "docs" / "amper-openapi.json"


def test_the_committed_amper_openapi_document_matches_the_code() -> None:
    assert COMMITTED.read_text("utf-8") == dumps(amper_document()), (
        "docs/amper-openapi.json is out of date; rewrite it with: "
        "python -m mirloop.serve.openapi docs/amper-openapi.json"
    )


def test_the_document_describes_the_amper_subset() -> None:
    document = openapi_document()
    render = document["paths"]["/v1/simple_renders"]["post"]
    assert {"202", "401", "403", "422", "429"} <= set(render["responses"])
    status = document["components"]["schemas"]["RenderAttributes"]["properties"]["status"]
    assert status["enum"] == [
        "WAITING_COMPOSE",
        "RUNNING_COMPOSE",
        "WAITING_RENDER",
        "RUNNING_RENDER",
        "CREATED",
        "FAILED_CREATE",
    ]
    preset = document["components"]["schemas"]["RenderAttributesIn"]["properties"]["preset"]
    assert preset["enum"] == ["MASTER_WAV", "MASTER_MP3", "STEMS_WAV"]
    assert "/v1/entities/{kind}" in document["paths"]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose accepted renders never reach the renderer (so fuzzing costs no CPU)."""
    env = {"MIRLOOP_SERVE_FAULTS": "render_delay=600"}
    process = start_server(
        tmp_path_factory.mktemp("fuzz") / "data", env=env, queue_limit=4, args=["--no-warm-up"]
    )
    yield process
    process.close()


def test_the_api_fuzzed_from_its_own_openapi_document_never_answers_500(fuzzed: ServerProcess) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @given(case=operation.as_strategy())
        def check(case: object) -> None:
            nonlocal calls
            response = case.call(timeout=30)  # type: ignore[attr-defined]
            calls += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}"
                )  # type: ignore[attr-defined]

        check()
    assert calls > 100
    assert failures == [], "\n".join(failures) + "\n" + fuzzed.tail()

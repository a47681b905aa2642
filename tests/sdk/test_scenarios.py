"""Replays the library's scenarios (tests/sdk/data/scenarios.json) through boto3 and checks that
the server returns the documents the library is specified to return.

The boto3 client runs without client-side validation, so that requests boto3 would reject
locally still reach the server's own validation.
"""

import json
import pathlib
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import without_metadata

SCENARIOS = json.loads((pathlib.Path(__file__).parent / "data" / "scenarios.json").read_text())[
    "scenarios"
]


def snake_case(operation):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def rename_collection(document, old, new):
    """Replace the scenario's collection ID with a unique one, also inside ARNs."""
    return json.loads(json.dumps(document).replace(f'"{old}"', f'"{new}"').replace(f"/{old}\"", f"/{new}\""))


def run_step(raw_client, http, operation, request):
    """Run one step; return ("ok", response) or ("error", code, message)."""
    if operation == "ImportFaces":
        status, _, document = http.post("FaceStoreService.ImportFaces", request)
        if status == 200:
            return ("ok", document)
        return ("error", document["__type"], document.get("Message", document.get("message")))
    try:
        response = getattr(raw_client, snake_case(operation))(**request)
        return ("ok", without_metadata(response))
    except ClientError as error:
        return ("error", error.response["Error"]["Code"], error.response["Error"]["Message"])


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(raw_client, http, scenario):
    unique = f"scn-{uuid.uuid4().hex[:10]}"
    created = set()
    try:
        for number, step in enumerate(scenario["steps"], start=1):
            original = step["request"].get("CollectionId", "c1")
            request = rename_collection(step["request"], original, f"{unique}-{original}")
            expect = rename_collection(step.get("expect") or {}, original, f"{unique}-{original}")
            if step["op"] == "CreateCollection":
                created.add(request["CollectionId"])
            outcome = run_step(raw_client, http, step["op"], request)
            where = f"step {number} {step['op']}"

            if "error" in expect:
                assert outcome[0] == "error", f"{where}: {outcome}"
                assert outcome[1] == expect["error"], f"{where}: {outcome}"
                if "message_starts_with" in expect:
                    assert outcome[2].startswith(expect["message_starts_with"]), f"{where}: {outcome}"
                if "message_contains" in expect:
                    assert expect["message_contains"] in outcome[2], f"{where}: {outcome}"
                continue

            assert outcome[0] == "ok", f"{where}: {outcome}"
            response = outcome[1]
            if "response" in expect:
                assert response == expect["response"], where
            for field, value in expect.get("fields", {}).items():
                assert response[field] == value, f"{where}: {field}"
    finally:
        for collection_id in created:
            try:
                raw_client.delete_collection(CollectionId=collection_id)
            except ClientError:
                pass

"""Collections through boto3: create, describe, list with pagination, delete."""

import datetime
import uuid

import pytest

from conftest import without_metadata


def test_create_collection_returns_arn_without_prefix(client):
    collection_id = f"sdk-{uuid.uuid4().hex[:12]}"
    response = client.create_collection(CollectionId=collection_id)
    try:
        assert without_metadata(response) == {
            "StatusCode": 200,
            "CollectionArn": f"aws:rekognition:us-east-1:000000000000:collection/{collection_id}",
            "FaceModelVersion": "7.0",
        }
    finally:
        client.delete_collection(CollectionId=collection_id)


def test_response_metadata_has_request_id(client, collection):
    response = client.describe_collection(CollectionId=collection)
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 200
    assert len(metadata["RequestId"]) == 36
    assert metadata["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"


def test_describe_collection_parses_timestamp(client, collection):
    response = client.describe_collection(CollectionId=collection)
    assert response["CollectionARN"] == (
        f"arn:aws:rekognition:us-east-1:000000000000:collection/{collection}"
    )
    assert response["FaceCount"] == 0
    assert response["UserCount"] == 0
    assert response["FaceModelVersion"] == "7.0"
    created = response["CreationTimestamp"]
    assert isinstance(created, datetime.datetime)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - created).total_seconds()) < 24 * 3600, created


def test_create_existing_collection_fails(client, collection):
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException) as raised:
        client.create_collection(CollectionId=collection)
    assert collection in raised.value.response["Error"]["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_describe_missing_collection_names_it(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        client.describe_collection(CollectionId="family_faces")
    assert "family_faces" in raised.value.response["Error"]["Message"]


def test_delete_collection_then_recreate_is_empty(client, http, collection):
    http.import_faces(collection, [{"FaceId": "11111111-1111-4111-8111-111111111111"}])
    assert client.delete_collection(CollectionId=collection)["StatusCode"] == 200
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_collection(CollectionId=collection)

    client.create_collection(CollectionId=collection)
    assert client.describe_collection(CollectionId=collection)["FaceCount"] == 0
    assert client.list_faces(CollectionId=collection)["Faces"] == []


def test_list_collections_pages_in_creation_order(client):
    prefix = f"sdk-list-{uuid.uuid4().hex[:8]}"
    created = [f"{prefix}-{n}" for n in (3, 1, 2)]
    for collection_id in created:
        client.create_collection(CollectionId=collection_id)
    try:
        seen = []
        token = None
        pages = 0
        while True:
            arguments = {"MaxResults": 2}
            if token:
                arguments["NextToken"] = token
            page = client.list_collections(**arguments)
            pages += 1
            assert len(page["CollectionIds"]) <= 2
            assert len(page["FaceModelVersions"]) == len(page["CollectionIds"])
            seen.extend(page["CollectionIds"])
            token = page.get("NextToken")
            if token is None:
                break
            assert token != ""
            assert pages < 1000, "pagination does not end"
        assert [c for c in seen if c.startswith(prefix)] == created

        paginated = client.get_paginator("list_collections").paginate(
            PaginationConfig={"PageSize": 1}
        )
        assert [c for c in paginated.build_full_result()["CollectionIds"] if c.startswith(prefix)] == created
    finally:
        for collection_id in created:
            client.delete_collection(CollectionId=collection_id)


def test_tampered_token_is_rejected(client, faces, collection):
    page = client.list_faces(CollectionId=collection, MaxResults=1)
    token = page["NextToken"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(client.exceptions.InvalidPaginationTokenException):
        client.list_faces(CollectionId=collection, NextToken=tampered)

"""The AWS JSON 1.1 protocol as SDKs and raw HTTP clients see it."""

import pytest
from botocore.exceptions import ClientError


def test_image_operations_point_to_import(client, collection):
    calls = [
        ("index_faces", {"CollectionId": collection, "Image": {"Bytes": b"\xff\xd8"}}),
        ("search_faces_by_image", {"CollectionId": collection, "Image": {"Bytes": b"\xff\xd8"}}),
        ("search_users_by_image", {"CollectionId": collection, "Image": {"Bytes": b"\xff\xd8"}}),
    ]
    for call, arguments in calls:
        with pytest.raises(client.exceptions.InvalidParameterException) as raised:
            getattr(client, call)(**arguments)
        assert "FaceStoreService.ImportFaces" in raised.value.response["Error"]["Message"]


def test_unsupported_rekognition_operation(client):
    with pytest.raises(ClientError) as raised:
        client.detect_faces(Image={"Bytes": b"\xff\xd8"})
    error = raised.value.response["Error"]
    assert error["Code"] == "UnknownOperationException"
    assert "RekognitionService.DetectFaces" in error["Message"]


@pytest.mark.parametrize(
    "target",
    ["RekognitionService.NoSuch", "Other.ListFaces", "RekognitionService.ImportFaces", ""],
)
def test_unknown_target(http, target):
    status, _, document = http.post(target, {})
    assert status == 400
    assert document["__type"] == "UnknownOperationException"
    assert f"'{target}'" in document["Message"]


def test_malformed_json_is_serialization_error(http):
    status, headers, document = http.post("RekognitionService.ListCollections", b'{"MaxResults": ')
    assert status == 400
    assert document["__type"] == "SerializationException"
    assert "not valid JSON" in document["Message"]
    assert headers["x-amzn-RequestId"]


def test_empty_body_is_empty_request(http):
    status, _, document = http.post("RekognitionService.ListCollections", b"")
    assert status == 200
    assert "CollectionIds" in document


def test_wrong_content_type(http):
    status, _, document = http.post("RekognitionService.ListCollections", b"{}", content_type="text/plain")
    assert status == 415
    assert document["__type"] == "UnsupportedMediaTypeException"
    assert "application/x-amz-json-1.1" in document["Message"]


def test_validation_error_uses_lower_case_message(http):
    status, _, document = http.post("RekognitionService.CreateCollection", {"CollectionId": "a b"})
    assert status == 400
    assert document["__type"] == "ValidationException"
    assert "message" in document
    assert "Message" not in document


def test_unknown_fields_are_ignored(http):
    status, _, document = http.post("RekognitionService.ListCollections", {"Unexpected": [1, 2]})
    assert status == 200, document

"""Constraints that boto3 does not check itself (maximum lengths, patterns, ranges) are
enforced by the server and reach boto3 as ValidationException naming the member."""

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from conftest import face_id


def validation_message(client, call, **arguments):
    with pytest.raises(ClientError) as raised:
        getattr(client, call)(**arguments)
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException", error
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Message"]


@pytest.mark.parametrize(
    ("call", "arguments", "member"),
    [
        ("create_collection", {"CollectionId": "c" * 256}, "collectionId"),
        ("create_collection", {"CollectionId": "my photos"}, "collectionId"),
        ("describe_collection", {"CollectionId": "bad/id"}, "collectionId"),
        ("create_user", {"CollectionId": "c1", "UserId": "u" * 129}, "userId"),
        ("create_user", {"CollectionId": "c1", "UserId": "with space"}, "userId"),
        ("delete_faces", {"CollectionId": "c1", "FaceIds": ["AAAAAAAA-0000-4000-8000-000000000000"]}, "faceIds.1.member"),
        ("delete_faces", {"CollectionId": "c1", "FaceIds": ["not-a-uuid"]}, "faceIds.1.member"),
        ("delete_faces", {"CollectionId": "c1", "FaceIds": [face_id(n) for n in range(4097)]}, "faceIds"),
        ("list_faces", {"CollectionId": "c1", "MaxResults": 4097}, "maxResults"),
        ("list_users", {"CollectionId": "c1", "MaxResults": 501}, "maxResults"),
        ("list_faces", {"CollectionId": "c1", "NextToken": "t" * 256}, "nextToken"),
        (
            "associate_faces",
            {"CollectionId": "c1", "UserId": "u1", "FaceIds": [face_id(n) for n in range(101)]},
            "faceIds",
        ),
        (
            "create_user",
            {"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "bad token!"},
            "clientRequestToken",
        ),
        (
            "tag_resource",
            {
                "ResourceArn": "arn:aws:rekognition:us-east-1:000000000000:collection/c1",
                "Tags": {"aws:reserved": "v"},
            },
            "tags",
        ),
    ],
)
def test_server_side_validation(client, call, arguments, member):
    message = validation_message(client, call, **arguments)
    assert f"at '{member}" in message, message
    assert message.startswith("1 validation error detected: "), message


def test_several_violations_are_counted(client):
    message = validation_message(
        client, "create_user", CollectionId="bad id", UserId="u" * 129
    )
    assert message.startswith("2 validation errors detected: "), message
    assert "collectionId" in message
    assert "userId" in message


def test_boto3_rejects_empty_list_before_sending(client):
    with pytest.raises(ParamValidationError):
        client.delete_faces(CollectionId="c1", FaceIds=[])


def test_server_rejects_empty_list_from_unvalidated_client(raw_client, faces, collection):
    message = validation_message(raw_client, "delete_faces", CollectionId=collection, FaceIds=[])
    assert message.startswith(
        "1 validation error detected: Value '[]' at 'faceIds' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    ), message
    assert raw_client.describe_collection(CollectionId=collection)["FaceCount"] == len(faces)


def test_server_rejects_missing_member_from_unvalidated_client(raw_client):
    message = validation_message(raw_client, "delete_faces", FaceIds=[face_id(1)])
    assert "'collectionId'" in message
    assert "must not be null" in message


def test_one_bad_id_rejects_whole_delete(client, faces, collection):
    message = validation_message(
        client, "delete_faces", CollectionId=collection, FaceIds=[faces[0], "AAAAAAAA-0000-4000-8000-000000000000"]
    )
    assert "faceIds.2.member" in message
    assert client.describe_collection(CollectionId=collection)["FaceCount"] == len(faces)

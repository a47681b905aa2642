"""The AWS CLI (`aws rekognition ...`) against the server."""

import json
import uuid

from conftest import face_id, face_record


def test_cli_collection_round_trip(aws):
    collection = f"cli-{uuid.uuid4().hex[:10]}"
    created = aws.json("create-collection", "--collection-id", collection)
    assert created["StatusCode"] == 200
    assert created["CollectionArn"].endswith(f":collection/{collection}")

    described = aws.json("describe-collection", "--collection-id", collection)
    assert described["FaceCount"] == 0
    assert described["CollectionARN"].startswith("arn:aws:rekognition:")
    assert described["CreationTimestamp"]

    listed = aws.json("list-collections")
    assert collection in listed["CollectionIds"]

    assert aws.json("delete-collection", "--collection-id", collection)["StatusCode"] == 200


def test_cli_lists_all_pages(aws, http, collection):
    ids = [face_id(n) for n in range(7)]
    http.import_faces(collection, [face_record(face) for face in ids])

    # The CLI follows NextToken itself; --page-size sets MaxResults of each request.
    listed = aws.json("list-faces", "--collection-id", collection, "--page-size", "2")
    assert [face["FaceId"] for face in listed["Faces"]] == ids
    assert "NextToken" not in listed

    first = aws.json("list-faces", "--collection-id", collection, "--max-items", "3")
    assert [face["FaceId"] for face in first["Faces"]] == ids[:3]
    rest = aws.json(
        "list-faces", "--collection-id", collection, "--starting-token", first["NextToken"]
    )
    assert [face["FaceId"] for face in rest["Faces"]] == ids[3:]


def test_cli_delete_faces_mix(aws, http, collection):
    http.import_faces(collection, [face_record(face_id(1)), face_record(face_id(2))])
    aws.json("create-user", "--collection-id", collection, "--user-id", "alice")
    aws.json(
        "associate-faces", "--collection-id", collection, "--user-id", "alice",
        "--face-ids", face_id(2),
    )

    deleted = aws.json(
        "delete-faces", "--collection-id", collection,
        "--face-ids", face_id(1), face_id(2), face_id(3), face_id(1),
    )
    assert deleted == {
        "DeletedFaces": [face_id(1)],
        "UnsuccessfulFaceDeletions": [
            {"FaceId": face_id(2), "UserId": "alice", "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]},
            {"FaceId": face_id(3), "Reasons": ["FACE_NOT_FOUND"]},
        ],
    }


def test_cli_users_and_tags(aws, collection):
    aws.json("create-user", "--collection-id", collection, "--user-id", "bob")
    users = aws.json("list-users", "--collection-id", collection)
    assert users["Users"] == [{"UserId": "bob", "UserStatus": "CREATED"}]
    aws.json("delete-user", "--collection-id", collection, "--user-id", "bob")

    arn = aws.json("describe-collection", "--collection-id", collection)["CollectionARN"]
    aws.json("tag-resource", "--resource-arn", arn, "--tags", "team=vision")
    assert aws.json("list-tags-for-resource", "--resource-arn", arn)["Tags"] == {"team": "vision"}
    aws.json("untag-resource", "--resource-arn", arn, "--tag-keys", "team")
    assert aws.json("list-tags-for-resource", "--resource-arn", arn)["Tags"] == {}


def test_cli_service_error_message(aws):
    completed = aws("describe-collection", "--collection-id", "family_faces")
    assert completed.returncode != 0
    assert (
        "An error occurred (ResourceNotFoundException) when calling the DescribeCollection "
        "operation: " in completed.stderr
    ), completed.stderr
    assert "family_faces" in completed.stderr


def test_cli_validation_error_message(aws):
    completed = aws("create-collection", "--collection-id", "my photos")
    assert completed.returncode != 0
    assert "(ValidationException)" in completed.stderr, completed.stderr
    assert "collectionId" in completed.stderr


def test_cli_import_rejected_for_index_faces(aws, collection):
    completed = aws(
        "index-faces", "--collection-id", collection, "--image", json.dumps({"Bytes": "/9j/"}),
    )
    assert completed.returncode != 0
    assert "(InvalidParameterException)" in completed.stderr, completed.stderr
    assert "FaceStoreService.ImportFaces" in completed.stderr

"""Users through boto3: create, list, associate, disassociate, delete, idempotency tokens."""

import pytest

from conftest import face_id, without_metadata


def test_user_lifecycle(client, faces, collection):
    assert without_metadata(client.create_user(CollectionId=collection, UserId="alice")) == {}
    listed = client.list_users(CollectionId=collection)
    assert listed["Users"] == [{"UserId": "alice", "UserStatus": "CREATED"}]

    associated = client.associate_faces(
        CollectionId=collection, UserId="alice", FaceIds=[faces[0], faces[1], face_id(99)]
    )
    assert without_metadata(associated) == {
        "AssociatedFaces": [{"FaceId": faces[0]}, {"FaceId": faces[1]}],
        "UnsuccessfulFaceAssociations": [{"FaceId": face_id(99), "Reasons": ["FACE_NOT_FOUND"]}],
        "UserStatus": "ACTIVE",
    }
    assert client.list_users(CollectionId=collection)["Users"] == [
        {"UserId": "alice", "UserStatus": "ACTIVE"}
    ]

    disassociated = client.disassociate_faces(
        CollectionId=collection, UserId="alice", FaceIds=[faces[0], faces[1]]
    )
    assert without_metadata(disassociated) == {
        "DisassociatedFaces": [{"FaceId": faces[0]}, {"FaceId": faces[1]}],
        "UnsuccessfulFaceDisassociations": [],
        "UserStatus": "CREATED",
    }

    assert without_metadata(client.delete_user(CollectionId=collection, UserId="alice")) == {}
    assert client.list_users(CollectionId=collection)["Users"] == []
    assert client.describe_collection(CollectionId=collection)["UserCount"] == 0


def test_associate_reports_other_owner(client, faces, collection):
    client.create_user(CollectionId=collection, UserId="u1")
    client.create_user(CollectionId=collection, UserId="u2")
    client.associate_faces(CollectionId=collection, UserId="u1", FaceIds=[faces[0]])

    response = client.associate_faces(CollectionId=collection, UserId="u2", FaceIds=[faces[0], faces[1]])
    assert response["AssociatedFaces"] == [{"FaceId": faces[1]}]
    assert response["UnsuccessfulFaceAssociations"] == [
        {"FaceId": faces[0], "UserId": "u1", "Reasons": ["ASSOCIATED_TO_A_DIFFERENT_USER"]}
    ]


def test_second_create_user_conflicts(client, collection):
    client.create_user(CollectionId=collection, UserId="alice")
    # boto3 sends a fresh ClientRequestToken on each call.
    with pytest.raises(client.exceptions.ConflictException) as raised:
        client.create_user(CollectionId=collection, UserId="alice")
    assert "alice" in raised.value.response["Error"]["Message"]


def test_same_token_replays_create_user(client, collection):
    first = client.create_user(CollectionId=collection, UserId="alice", ClientRequestToken="token-1")
    again = client.create_user(CollectionId=collection, UserId="alice", ClientRequestToken="token-1")
    assert without_metadata(first) == without_metadata(again) == {}
    with pytest.raises(client.exceptions.IdempotentParameterMismatchException):
        client.create_user(CollectionId=collection, UserId="bob", ClientRequestToken="token-1")


def test_delete_missing_user_not_found(client, collection):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        client.delete_user(CollectionId=collection, UserId="ghost")
    assert "ghost" in raised.value.response["Error"]["Message"]


def test_list_users_pages(client, collection):
    names = [f"user-{n:02d}" for n in range(7)]
    for name in reversed(names):
        client.create_user(CollectionId=collection, UserId=name)

    seen = []
    token = None
    for _ in range(len(names) + 1):
        arguments = {"CollectionId": collection, "MaxResults": 3}
        if token:
            arguments["NextToken"] = token
        page = client.list_users(**arguments)
        seen.extend(user["UserId"] for user in page["Users"])
        token = page.get("NextToken")
        if token is None:
            break
    assert seen == names

    paginated = client.get_paginator("list_users").paginate(
        CollectionId=collection, PaginationConfig={"PageSize": 2}
    )
    assert [user["UserId"] for user in paginated.build_full_result()["Users"]] == names

"""Faces through boto3: import, ListFaces with pagination and filters, DeleteFaces mixes."""

import pytest

from conftest import face_id, face_record, without_metadata


def test_list_faces_equals_imported_records(client, http, collection):
    records = [
        face_record(face_id(2), ExternalImageId="photo-2.jpg", IndexFacesModelVersion="6.0"),
        face_record(face_id(1)),
        {**face_record(face_id(3)), "Embedding": [0.5, -0.25, 1.0]},
    ]
    http.import_faces(collection, records)

    response = client.list_faces(CollectionId=collection)
    # Faces come back in FaceId order, as imported, and without their embeddings.
    expected = [records[1], records[0], face_record(face_id(3))]
    assert response["FaceModelVersion"] == "7.0"
    assert len(response["Faces"]) == len(expected)
    for listed, imported in zip(response["Faces"], expected):
        assert listed == imported


def test_list_faces_matches_raw_response(client, http, faces, collection):
    status, _, raw = http.post(
        "RekognitionService.ListFaces", {"CollectionId": collection, "MaxResults": 3}
    )
    assert status == 200
    parsed = client.list_faces(CollectionId=collection, MaxResults=3)
    assert without_metadata(parsed) == raw


def test_list_faces_pages_with_next_token(client, faces, collection):
    seen = []
    token = None
    for _ in range(len(faces) + 1):
        arguments = {"CollectionId": collection, "MaxResults": 2}
        if token:
            arguments["NextToken"] = token
        page = client.list_faces(**arguments)
        assert page["FaceModelVersion"] == "7.0"
        assert len(page["Faces"]) <= 2
        seen.extend(face["FaceId"] for face in page["Faces"])
        token = page.get("NextToken")
        if token is None:
            break
        assert len(token) <= 255
    assert token is None, "pagination does not end"
    assert seen == faces


def test_list_faces_paginator_collects_all(client, faces, collection):
    paginator = client.get_paginator("list_faces")
    result = paginator.paginate(
        CollectionId=collection, PaginationConfig={"PageSize": 2}
    ).build_full_result()
    assert [face["FaceId"] for face in result["Faces"]] == faces


def test_pages_survive_deletes_between_calls(client, faces, collection):
    first = client.list_faces(CollectionId=collection, MaxResults=2)
    client.delete_faces(CollectionId=collection, FaceIds=[faces[2]])
    rest = client.list_faces(CollectionId=collection, NextToken=first["NextToken"])
    ids = [face["FaceId"] for face in first["Faces"] + rest["Faces"]]
    assert ids == [faces[0], faces[1], faces[3], faces[4]]


def test_list_faces_filters_by_user_and_ids(client, faces, collection):
    client.create_user(CollectionId=collection, UserId="alice")
    client.associate_faces(CollectionId=collection, UserId="alice", FaceIds=faces[:2])

    by_user = client.list_faces(CollectionId=collection, UserId="alice")
    assert [face["FaceId"] for face in by_user["Faces"]] == faces[:2]
    assert all(face["UserId"] == "alice" for face in by_user["Faces"])

    by_ids = client.list_faces(CollectionId=collection, FaceIds=[faces[4], face_id(99), faces[1]])
    assert [face["FaceId"] for face in by_ids["Faces"]] == [faces[1], faces[4]]

    both = client.list_faces(CollectionId=collection, UserId="alice", FaceIds=[faces[1], faces[3]])
    assert [face["FaceId"] for face in both["Faces"]] == [faces[1]]

    unknown_user = client.list_faces(CollectionId=collection, UserId="nobody")
    assert unknown_user["Faces"] == []


def test_delete_faces_mix_of_ids(client, http, faces, collection):
    other = f"{collection}-other"
    client.create_collection(CollectionId=other)
    try:
        http.import_faces(other, [face_record(face_id(50))])
        client.create_user(CollectionId=collection, UserId="bob")
        client.associate_faces(CollectionId=collection, UserId="bob", FaceIds=[faces[1]])

        response = client.delete_faces(
            CollectionId=collection,
            FaceIds=[faces[0], face_id(77), faces[1], faces[0], face_id(50), faces[2]],
        )

        assert without_metadata(response) == {
            "DeletedFaces": [faces[0], faces[2]],
            "UnsuccessfulFaceDeletions": [
                {"FaceId": face_id(77), "Reasons": ["FACE_NOT_FOUND"]},
                {"FaceId": faces[1], "UserId": "bob", "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]},
                {"FaceId": face_id(50), "Reasons": ["FACE_NOT_FOUND"]},
            ],
        }
        assert client.describe_collection(CollectionId=collection)["FaceCount"] == 3
        assert client.describe_collection(CollectionId=other)["FaceCount"] == 1
        remaining = [face["FaceId"] for face in client.list_faces(CollectionId=collection)["Faces"]]
        assert remaining == [faces[1], faces[3], faces[4]]
    finally:
        client.delete_collection(CollectionId=other)


def test_delete_faces_retry_reports_not_found(client, faces, collection):
    first = client.delete_faces(CollectionId=collection, FaceIds=faces[:2])
    assert first["DeletedFaces"] == faces[:2]
    assert first["UnsuccessfulFaceDeletions"] == []

    retry = client.delete_faces(CollectionId=collection, FaceIds=faces[:2])
    assert retry["DeletedFaces"] == []
    assert retry["UnsuccessfulFaceDeletions"] == [
        {"FaceId": face, "Reasons": ["FACE_NOT_FOUND"]} for face in faces[:2]
    ]


def test_delete_faces_in_missing_collection(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        client.delete_faces(CollectionId="no-such-collection", FaceIds=[face_id(1)])
    assert "no-such-collection" in raised.value.response["Error"]["Message"]


def test_import_is_idempotent_and_conflicts_name_id(http, client, collection):
    http.import_faces(collection, [face_record(face_id(1))])
    http.import_faces(collection, [face_record(face_id(1))])
    assert client.describe_collection(CollectionId=collection)["FaceCount"] == 1

    status, _, document = http.post(
        "FaceStoreService.ImportFaces",
        {"CollectionId": collection, "Faces": [face_record(face_id(1), Confidence=50.0)]},
    )
    assert status == 400
    assert face_id(1) in document["Message"] + document.get("message", "")


def test_import_rejects_embedding_of_other_length(http, collection):
    http.import_faces(collection, [{"FaceId": face_id(1), "Embedding": [1.0, 0.0]}])
    status, _, document = http.post(
        "FaceStoreService.ImportFaces",
        {"CollectionId": collection, "Faces": [{"FaceId": face_id(2), "Embedding": [1.0, 0.0, 0.0]}]},
    )
    assert status == 400
    assert document["__type"] == "InvalidParameterException"

"""Tags through boto3, addressed by the collection ARN with and without the arn: prefix."""

import pytest

from conftest import without_metadata


def arn_of(client, collection):
    return client.describe_collection(CollectionId=collection)["CollectionARN"]


def test_tag_list_untag(client, collection):
    arn = arn_of(client, collection)
    assert without_metadata(client.tag_resource(ResourceArn=arn, Tags={"team": "vision", "env": "test"})) == {}
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "vision", "env": "test"}

    assert without_metadata(client.untag_resource(ResourceArn=arn, TagKeys=["env"])) == {}
    bare_arn = arn.removeprefix("arn:")
    assert client.list_tags_for_resource(ResourceArn=bare_arn)["Tags"] == {"team": "vision"}


def test_create_collection_with_tags(client):
    collection = "sdk-tagged-collection"
    client.create_collection(CollectionId=collection, Tags={"owner": "sdk"})
    try:
        assert client.list_tags_for_resource(ResourceArn=arn_of(client, collection))["Tags"] == {
            "owner": "sdk"
        }
    finally:
        client.delete_collection(CollectionId=collection)


def test_tags_of_missing_collection(client):
    arn = "arn:aws:rekognition:us-east-1:000000000000:collection/no-such-collection"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_tags_for_resource(ResourceArn=arn)


def test_more_than_fifty_tags_exceeds_quota(client, collection):
    arn = arn_of(client, collection)
    with pytest.raises(client.exceptions.ServiceQuotaExceededException):
        client.tag_resource(ResourceArn=arn, Tags={f"key-{n}": "v" for n in range(51)})
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == {}

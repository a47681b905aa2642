"""Fixtures for the SDK suite: boto3 clients, the AWS CLI and raw HTTP, all aimed at the
facestore server named by the FACESTORE_ENDPOINT environment variable.

.ci/sdk-tests.sh starts a server on a free loopback port and sets FACESTORE_ENDPOINT.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config

# Credentials and region are required by the SDKs, never checked by the server. Empty config
# files keep the developer's AWS profile out of the tests.
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "x",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_PAGER": "",
    "NO_PROXY": "127.0.0.1",
    "no_proxy": "127.0.0.1",
}
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)
os.environ.update(AWS_ENVIRONMENT)

# One attempt per call, so a server error fails the test at once; bounded waits.
CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    connect_timeout=10,
    read_timeout=60,
)


def face_id(n):
    """Return the n-th synthetic face ID, a lower-case UUID."""
    return f"{n:08x}-0000-4000-8000-000000000000"


@pytest.fixture(scope="session")
def endpoint():
    url = os.environ.get("FACESTORE_ENDPOINT")
    if not url:
        pytest.exit("FACESTORE_ENDPOINT is not set; run .ci/sdk-tests.sh, which starts a server")
    if not url.startswith("http://127.0.0.1:"):
        pytest.exit(f"FACESTORE_ENDPOINT must be a loopback URL http://127.0.0.1:PORT, not {url}")
    return url


def make_client(endpoint, validate=True):
    config = CLIENT_CONFIG.merge(Config(parameter_validation=validate))
    return boto3.client(
        "rekognition",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=config,
    )


@pytest.fixture(scope="session")
def client(endpoint):
    """A boto3 client with its default client-side validation."""
    return make_client(endpoint)


@pytest.fixture(scope="session")
def raw_client(endpoint):
    """A boto3 client that sends every request to the server unvalidated."""
    return make_client(endpoint, validate=False)


class Http:
    """Raw AWS JSON 1.1 requests, for FaceStoreService.ImportFaces and protocol errors."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        # No proxy: the server is on loopback.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def post(self, target, body, content_type="application/x-amz-json-1.1"):
        """Send `body` (bytes, str or a JSON document) and return (status, headers, document)."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        headers = {"X-Amz-Target": target}
        if content_type is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.endpoint + "/", data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, json.loads(error.read() or b"null")

    def import_faces(self, collection_id, faces):
        status, _, document = self.post(
            "FaceStoreService.ImportFaces", {"CollectionId": collection_id, "Faces": faces}
        )
        assert status == 200, document
        return document


@pytest.fixture(scope="session")
def http(endpoint):
    return Http(endpoint)


@pytest.fixture
def collection(client):
    """A new, empty collection with a unique ID, deleted after the test."""
    collection_id = f"sdk-{uuid.uuid4().hex[:12]}"
    client.create_collection(CollectionId=collection_id)
    yield collection_id
    try:
        client.delete_collection(CollectionId=collection_id)
    except client.exceptions.ResourceNotFoundException:
        pass


@pytest.fixture
def faces(http, collection):
    """Import faces 0..4 into `collection` and return their IDs."""
    ids = [face_id(n) for n in range(5)]
    http.import_faces(collection, [face_record(face) for face in ids])
    return ids


def face_record(face, **fields):
    """Return a complete face object as ImportFaces takes it."""
    record = {
        "FaceId": face,
        "ImageId": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
        "Confidence": 99.5,
        "BoundingBox": {"Width": 0.25, "Height": 0.5, "Left": 0.125, "Top": 0.0625},
    }
    record.update(fields)
    return record


# The `aws` program installed next to the Python running the tests, else the one on PATH.
_VENV_AWS = os.path.join(os.path.dirname(sys.executable), "aws")
AWS_PROGRAM = _VENV_AWS if os.path.exists(_VENV_AWS) else "aws"


class AwsCli:
    """Runs `aws rekognition ...` against the server and returns the completed process."""

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def __call__(self, *arguments):
        command = [
            AWS_PROGRAM,
            "rekognition",
            *arguments,
            "--endpoint-url",
            self.endpoint,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **AWS_ENVIRONMENT},
            check=False,
        )

    def json(self, *arguments):
        completed = self(*arguments)
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout) if completed.stdout.strip() else {}


@pytest.fixture(scope="session")
def aws(endpoint):
    return AwsCli(endpoint)


def without_metadata(response):
    """Return a boto3 response without the ResponseMetadata that boto3 adds."""
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}

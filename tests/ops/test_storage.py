"""The storage: uploads in an S3-compatible bucket (against moto's S3 server on 127.0.0.1) or on
local disk; keys that are not plain relative names refused by both backends, whoever calls; and
the public ``/media/`` route serving product photos only, never a private file however its key
is spelt."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer
from PIL import Image
from werkzeug.exceptions import NotFound

from marketplace.storage import InvalidKey, LocalStorage, S3Storage, Storage
from tests.ports import free_port


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_app(app: Flask, s3_endpoint: str, database_url: str, tmp_path: object) -> Flask:
    """A second app on the same test transaction, storing files in the bucket."""
    from tests.conftest import make_test_app

    bucket = f"opop-{free_port()}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="ap-southeast-3",
    ).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"}
    )
    return make_test_app(
        database_url,
        str(tmp_path),
        STORAGE_BACKEND="s3",
        S3_BUCKET=bucket,
        S3_ENDPOINT_URL=s3_endpoint,
        S3_ACCESS_KEY_ID="test",
        S3_SECRET_ACCESS_KEY="test",
    )


def test_files_round_trip_through_the_bucket(s3_app: Flask) -> None:
    storage = s3_app.extensions["storage"]
    assert isinstance(storage, S3Storage)
    key = storage.save(b"bukti transfer", "proofs", "pdf")
    assert key.startswith("proofs/") and key.endswith(".pdf")
    assert storage.read(key) == b"bukti transfer"
    storage.delete(key)
    with pytest.raises(FileNotFoundError):
        storage.read(key)


def test_generated_files_are_written_under_the_name_given(s3_app: Flask) -> None:
    storage = s3_app.extensions["storage"]
    key = "private/procurement-documents/order/7/abc.pdf"
    with pytest.raises(FileNotFoundError):
        storage.read(key)
    storage.write(key, b"%PDF-1")
    storage.write(key, b"%PDF-2")
    assert storage.read(key) == b"%PDF-2"
    storage.delete(key)


def test_product_photos_are_served_from_the_bucket(s3_app: Flask) -> None:
    from marketplace.catalogue.images import add_product_image
    from marketplace.extensions import db
    from tests.factories import ProductFactory

    product = ProductFactory()
    picture = io.BytesIO()
    Image.new("RGB", (600, 600), (10, 120, 60)).save(picture, "PNG")
    with s3_app.test_request_context():
        image = add_product_image(product.id, picture.getvalue(), "Foto")
        db.session.commit()
    client = s3_app.test_client()
    response = client.get(f"/media/{image.renditions['320']}")
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert "immutable" in response.headers["Cache-Control"]
    assert Image.open(io.BytesIO(response.data)).size == (320, 320)
    assert client.get("/media/products/tidak-ada.jpg").status_code == 404


# --- Keys ---------------------------------------------------------------------------------------

PROOF = b"%PDF-1.7 bukti transfer RAHASIA Ani Lestari"

#: Keys that are not plain relative names: each is refused before any backend touches it.
BAD_KEYS = [
    "./private/transfer-proofs/a.pdf",
    "products/../private/transfer-proofs/a.pdf",
    "../uploads/private/transfer-proofs/a.pdf",
    "products/./a.jpg",
    "/private/transfer-proofs/a.pdf",
    "products//a.jpg",
    "products/",
    "products\\..\\private\\a.pdf",
    "products/a.jpg\x00.pdf",
    "products/a\njpg",
    "products/a\x7f.jpg",
    "%2e/private/a.pdf",
    "products/.hidden",
    "",
]


@pytest.fixture(params=["local", "s3"])
def files(request: pytest.FixtureRequest, tmp_path: Any) -> Storage:
    """Each backend: a local folder of the test's own, and a bucket on moto's server."""
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    s3_app: Flask = request.getfixturevalue("s3_app")
    result: Storage = s3_app.extensions["storage"]
    return result


@pytest.mark.parametrize("key", BAD_KEYS)
def test_every_backend_refuses_a_key_that_is_not_a_plain_relative_name(
    files: Storage, key: str
) -> None:
    with pytest.raises(InvalidKey):
        files.write(key, PROOF)
    with pytest.raises(InvalidKey):
        files.read(key)
    with pytest.raises(InvalidKey):
        files.delete(key)
    with pytest.raises(NotFound):
        files.serve(key)


@pytest.mark.parametrize("folder", ["../private", "products/..", "/products", "products\\x", ""])
def test_every_backend_refuses_to_save_into_a_malformed_folder(files: Storage, folder: str) -> None:
    with pytest.raises(InvalidKey):
        files.save(PROOF, folder, "pdf")


def test_no_traversal_reaches_outside_the_local_folder(tmp_path: Any) -> None:
    root = tmp_path / "files"
    secret = tmp_path / "secret.txt"
    secret.write_bytes(PROOF)
    files = LocalStorage(root)
    for key in ("../secret.txt", "products/../../secret.txt", "products/%2e%2e/secret.txt"):
        with pytest.raises(InvalidKey):
            files.read(key)
        with pytest.raises(InvalidKey):
            files.delete(key)
    assert secret.read_bytes() == PROOF
    assert not root.exists() or not any(root.rglob("*"))


def test_every_backend_serves_only_public_files(files: Storage) -> None:
    """``serve`` answers the public route: a private file is not found even by its own key."""
    private = files.save(PROOF, "private/transfer-proofs", "pdf")
    legacy_import = files.save(b"sku;harga", "imports", "csv")
    public = files.save(b"\xff\xd8 foto", "products", "jpg")
    assert files.read(private) == PROOF
    for key in (private, legacy_import):
        with pytest.raises(NotFound):
            files.serve(key)
    with Flask(__name__).test_request_context():
        assert files.serve(public).status_code == 200


# --- The public route ---------------------------------------------------------------------------


def spellings(key: str, root: str) -> list[str]:
    """The ways a request may spell a private file's key to the public route (``root``: the
    name of the storage's folder, to step out of it and back in)."""
    folder, name = key.rsplit("/", 1)
    encoded = key.replace("/", "%2f")
    return [
        key,
        f"./{key}",
        f"products/../{key}",
        f"%2e/{key}",
        f"products/%2e%2e/{key}",
        f"%2e%2e/{root}/{key}",
        f"products%5c..%5c{key.replace('/', '%5c')}",
        f"products\\..\\{key}",
        f"/{key}",
        f"products//..//{key}",
        f"products/%2e%2e//{key}",
        f"products%2f..%2f{encoded}",
        encoded,
        f"products/%00/../{key}",
        f"%252e/{key}",
        f"{folder}/./{name}",
        f"{folder}//{name}",
    ]


def assert_not_served(client: Any, key: str, root: str = "uploads") -> None:
    for spelling in spellings(key, root):
        response = client.get(f"/media/{spelling}", follow_redirects=True)
        assert response.status_code == 404, spelling
        assert PROOF not in response.data, spelling
        assert b"sku;harga" not in response.data, spelling


def test_no_spelling_of_a_private_key_is_served_from_local_disk(app: Flask) -> None:
    with app.app_context():
        files: Storage = app.extensions["storage"]
        proof = files.save(PROOF, "private/transfer-proofs", "pdf")
        document = "private/procurement-documents/order/1/abc.pdf"
        files.write(document, PROOF)
        legacy_import = files.save(b"sku;harga", "imports", "csv")
        photo = files.save(b"\xff\xd8 foto", "products", "jpg")
    client = app.test_client()
    for key in (proof, document, legacy_import):
        assert_not_served(client, key, Path(app.config["UPLOAD_FOLDER"]).name)
    served = client.get(f"/media/{photo}")
    assert served.status_code == 200 and served.data == b"\xff\xd8 foto"


def test_no_spelling_of_a_private_key_is_served_from_the_bucket(s3_app: Flask) -> None:
    with s3_app.app_context():
        files: Storage = s3_app.extensions["storage"]
        proof = files.save(PROOF, "private/transfer-proofs", "pdf")
        legacy_import = files.save(b"sku;harga", "imports", "csv")
    client = s3_app.test_client()
    for key in (proof, legacy_import):
        assert_not_served(client, key)

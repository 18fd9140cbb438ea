"""Uploads in an S3-compatible bucket, tested against moto's S3 server on 127.0.0.1."""

from __future__ import annotations

import io
from collections.abc import Iterator

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer
from PIL import Image

from marketplace.storage import S3Storage
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
    response = client.get(f"/media/{image.renditions['240']}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    assert Image.open(io.BytesIO(response.data)).size == (240, 240)
    assert client.get("/media/products/tidak-ada.jpg").status_code == 404

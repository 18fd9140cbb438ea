"""Where uploaded and generated files live: local disk (the instance folder) by default, or an
S3-compatible bucket (STORAGE_BACKEND=s3) when several app servers must share them.

Files are stored under random names chosen here, never under a name from the client. Files in
folders under ``private/`` (transfer proofs) are never served by the public ``/media/`` route: the
domain that owns them serves them after checking who asks.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, abort, current_app, send_from_directory
from werkzeug.wrappers import Response

#: Folders below this prefix hold files only their owners may see.
PRIVATE_PREFIX = "private/"


def is_private(key: str) -> bool:
    """Whether a stored file must not be served publicly."""
    return key.lstrip("/").startswith(PRIVATE_PREFIX)


class Storage(Protocol):
    def save(self, data: bytes, folder: str, extension: str) -> str: ...

    def read(self, key: str) -> bytes: ...

    def write(self, key: str, data: bytes) -> None: ...

    def delete(self, key: str) -> None: ...

    def serve(self, key: str) -> Response: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            abort(404)
        return path

    def save(self, data: bytes, folder: str, extension: str) -> str:
        key = f"{folder}/{secrets.token_hex(16)}.{extension.lstrip('.')}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def write(self, key: str, data: bytes) -> None:
        """Store ``data`` under a name the app chose (generated files), replacing it atomically."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f"{path.suffix}.{secrets.token_hex(4)}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def serve(self, key: str) -> Response:
        self._path(key)
        return send_from_directory(self.root, key, max_age=60 * 60 * 24 * 30)


class S3Storage:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph...) shared by every app server.

    Files are streamed through the app so pages keep loading images from their own origin
    (the Content-Security-Policy allows no other), with long cache headers.
    """

    def __init__(self, bucket: str, client: Any) -> None:
        self.bucket = bucket
        self.client = client

    def save(self, data: bytes, folder: str, extension: str) -> str:
        key = f"{folder}/{secrets.token_hex(16)}.{extension.lstrip('.')}"
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=mimetypes.guess_type(key)[0] or "application/octet-stream",
        )
        return key

    def read(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(key) from error
        data: bytes = response["Body"].read()
        return data

    def write(self, key: str, data: bytes) -> None:
        """Store ``data`` under a name the app chose (generated files)."""
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=mimetypes.guess_type(key)[0] or "application/octet-stream",
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def serve(self, key: str) -> Response:
        if ".." in key.split("/"):
            abort(404)
        try:
            data = self.read(key)
        except FileNotFoundError:
            abort(404)
        response = Response(
            data, mimetype=mimetypes.guess_type(key)[0] or "application/octet-stream"
        )
        response.headers["Cache-Control"] = "public, max-age=2592000, immutable"
        return response


def s3_client(
    endpoint_url: str | None,
    access_key_id: str | None,
    secret_access_key: str | None,
    region: str,
) -> Any:
    """A client for an S3-compatible service (the uploads' bucket, the backups' copy)."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        region_name=region,
    )


def init_storage(app: Flask) -> None:
    if app.config["STORAGE_BACKEND"] == "s3":
        client = s3_client(
            app.config["S3_ENDPOINT_URL"],
            app.config["S3_ACCESS_KEY_ID"],
            app.config["S3_SECRET_ACCESS_KEY"],
            app.config["S3_REGION"],
        )
        app.extensions["storage"] = S3Storage(app.config["S3_BUCKET"], client)
        return
    root = Path(app.config["UPLOAD_FOLDER"] or Path(app.instance_path) / "uploads")
    app.extensions["storage"] = LocalStorage(root)


def storage() -> Storage:
    result: Storage = current_app.extensions["storage"]
    return result

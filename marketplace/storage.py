"""Where uploaded and generated files live: local disk (the instance folder) by default, or an
S3-compatible bucket (STORAGE_BACKEND=s3) when several app servers must share them.

Files are stored under random names chosen here, never under a name from the client. Every key
is checked by `checked_key` before a backend touches it, whoever the caller: a key is a plain
relative name (``folder/name.ext``), so ``.``/``..`` segments, empty segments, a leading slash, a
backslash or a control character never reach the disk or the bucket. Only the folders in
`PUBLIC_FOLDERS` (product photos) are served by the public ``/media/`` route; everything else
(transfer proofs, procurement documents, import files: all under ``private/``) is served only by
the domain that owns it, after checking who asks.
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import os
import re
import secrets
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, abort, current_app, send_from_directory
from werkzeug.wrappers import Response

#: New private files go below this prefix (a folder name for the operator to recognise).
PRIVATE_PREFIX = "private/"
#: The only top-level folders whose files anyone may fetch from ``/media/``. Anything else is
#: private, including folders added later and the files older versions stored elsewhere
#: (product imports were once kept under ``imports/``; review photos under ``reviews/`` are
#: served by `reviews.photo`, which checks the review is shown).
PUBLIC_FOLDERS = frozenset({"products"})

#: A key's segment: ASCII letters, digits, ``_``, ``-`` and dots, not starting with a dot (so
#: never ``.`` or ``..``), never empty. Every name this module makes fits.
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
_MAX_KEY_LENGTH = 255


class InvalidKey(ValueError):
    """A storage key that is not a plain relative name (a traversal, an absolute path...)."""


def checked_key(key: str) -> str:
    """``key`` unchanged when it is a plain relative name; `InvalidKey` otherwise.

    Refused rather than normalised: ``products/../private/x`` is not another spelling of
    ``private/x`` but an attempt, and a canonical key has exactly one spelling.
    """
    if not isinstance(key, str) or not 0 < len(key) <= _MAX_KEY_LENGTH:
        raise InvalidKey(repr(key))
    if not all(_SEGMENT.fullmatch(segment) for segment in key.split("/")):
        raise InvalidKey(repr(key))
    return key


def is_public(key: str) -> bool:
    """Whether anyone may fetch the file: a well-formed key in a public folder. Everything
    else, a malformed key included, is private."""
    try:
        folder = checked_key(key).split("/", 1)[0]
    except InvalidKey:
        return False
    return folder in PUBLIC_FOLDERS and "/" in key


def content_name(data: bytes) -> str:
    """A file name derived from ``data`` that only holders of SECRET_KEY can compute (an HMAC):
    a generated document is found again from its content, yet nobody who knows or guesses the
    content can derive where it is stored. A new SECRET_KEY only means new names (the old
    files are not found, and are generated again)."""
    secret = current_app.config["SECRET_KEY"]
    secret_bytes = secret if isinstance(secret, bytes) else str(secret).encode()
    return hmac.new(secret_bytes, data, hashlib.sha256).hexdigest()[:32]


def _new_key(folder: str, extension: str) -> str:
    return checked_key(f"{folder}/{secrets.token_hex(16)}.{extension.lstrip('.')}")


class Storage(Protocol):
    """Every method checks its key (`checked_key`); ``serve`` answers the public ``/media/``
    route and refuses anything but a public file."""

    def save(self, data: bytes, folder: str, extension: str) -> str: ...

    def read(self, key: str) -> bytes: ...

    def write(self, key: str, data: bytes) -> None: ...

    def delete(self, key: str) -> None: ...

    def serve(self, key: str) -> Response: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / checked_key(key)).resolve()
        # A second line, should a symbolic link below the root lead elsewhere.
        if self.root.resolve() not in path.parents:
            raise InvalidKey(repr(key))
        return path

    def save(self, data: bytes, folder: str, extension: str) -> str:
        key = _new_key(folder, extension)
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
        """A public file, cached for a month (its name changes with its content)."""
        if not is_public(key):
            abort(404)
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
        key = _new_key(folder, extension)
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=mimetypes.guess_type(key)[0] or "application/octet-stream",
        )
        return key

    def read(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=checked_key(key))
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(key) from error
        data: bytes = response["Body"].read()
        return data

    def write(self, key: str, data: bytes) -> None:
        """Store ``data`` under a name the app chose (generated files)."""
        self.client.put_object(
            Bucket=self.bucket,
            Key=checked_key(key),
            Body=data,
            ContentType=mimetypes.guess_type(key)[0] or "application/octet-stream",
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=checked_key(key))

    def serve(self, key: str) -> Response:
        """A public file, cached for a month (its name changes with its content)."""
        if not is_public(key):
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

"""Where uploaded and generated files live. Local disk (the instance folder) by default.

Files are stored under random names chosen here, never under a name from the client.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Protocol

from flask import Flask, abort, current_app, send_from_directory
from werkzeug.wrappers import Response


class Storage(Protocol):
    def save(self, data: bytes, folder: str, extension: str) -> str: ...

    def read(self, key: str) -> bytes: ...

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

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def serve(self, key: str) -> Response:
        self._path(key)
        return send_from_directory(self.root, key, max_age=60 * 60 * 24 * 30)


def init_storage(app: Flask) -> None:
    root = Path(app.config["UPLOAD_FOLDER"] or Path(app.instance_path) / "uploads")
    app.extensions["storage"] = LocalStorage(root)


def storage() -> Storage:
    result: Storage = current_app.extensions["storage"]
    return result

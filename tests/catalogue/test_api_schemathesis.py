"""The open-data API, fuzzed by schemathesis from its own OpenAPI document, in process.

Every operation and parameter in /api/v1/openapi.json is exercised with values that match the
schema and values that break it: the answer is never a server error, and every answer is what
the document promises (its status is listed, its content type and body match the schema).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from marketplace import create_app
from tests.catalogue.conftest import Catalogue


def _served_document() -> dict[str, Any]:
    """The document exactly as /api/v1/openapi.json serves it. (schemathesis' lazy fixture
    loader does not work with this pytest, so the schema is read once at import, from an app
    that needs no database for it.)"""
    reader = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = reader.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


schema = schemathesis.openapi.from_dict(_served_document())


@schema.parametrize()
@settings(max_examples=max(10, settings.default.max_examples))
def test_the_api_keeps_its_openapi_promises(
    case: schemathesis.Case, app: Flask, catalogue: Catalogue
) -> None:
    response = case.call(app=app)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )

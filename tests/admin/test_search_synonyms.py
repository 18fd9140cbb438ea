"""The city's list of search synonyms: a page in the admin area, saved whole or not at all."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.catalogue import synonyms
from marketplace.extensions import db
from tests.conftest import login
from tests.factories import UserFactory

URL = "/admin/search-synonyms"


def test_the_page_shows_the_list_and_saves_it(admin_client: FlaskClient, admin: User) -> None:
    html = admin_client.get(URL).get_data(as_text=True)
    assert "jilbab, hijab\nsandal, sendal</textarea>" in html
    assert 'name="viewport"' in html and "width=device-width" in html
    saved = admin_client.post(URL, data={"groups": "Kripik, keripik\n\njilbab hijab kerudung"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(URL)
    assert synonyms.groups() == [["kripik", "keripik"], ["jilbab", "hijab", "kerudung"]]
    page = admin_client.get(URL).get_data(as_text=True)
    assert "Daftar sinonim pencarian sudah disimpan." in page
    assert "kripik, keripik\njilbab, hijab, kerudung</textarea>" in page
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "setting.changed"))
    assert entry is not None and entry.actor_id == admin.id


def test_a_wrong_line_is_shown_and_nothing_changes(admin_client: FlaskClient) -> None:
    response = admin_client.post(URL, data={"groups": "kripik, keripik\nsendal"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Baris 2: tulis paling sedikit dua kata berbeda." in html
    assert re.search(r"<textarea[^>]*aria-invalid=\"true\"[^>]*>\s*kripik, keripik\nsendal<", html)
    assert synonyms.groups() == [["jilbab", "hijab"], ["sandal", "sendal"]]


def test_only_the_city_may_see_or_change_it(app: Flask, client: FlaskClient) -> None:
    assert "/login" in client.get(URL).headers["Location"]
    shopper = UserFactory(email="pembeli@example.test")
    assert login(client, shopper.email).status_code == 302
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"groups": "a, b"}).status_code == 403
    assert synonyms.groups() == [["jilbab", "hijab"], ["sandal", "sendal"]]

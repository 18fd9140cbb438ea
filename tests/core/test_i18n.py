"""Language precedence and the money format."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from marketplace.i18n import rupiah
from tests.conftest import login
from tests.factories import UserFactory


def lang_of(client: FlaskClient, path: str = "/", **headers: str) -> str:
    html = client.get(path, headers=headers).get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_indonesian_is_the_default(client: FlaskClient) -> None:
    assert lang_of(client) == "id"


def test_accept_language_is_honoured(client: FlaskClient) -> None:
    assert lang_of(client, **{"Accept-Language": "en-US,en;q=0.9"}) == "en"


def test_the_saved_cookie_beats_accept_language(client: FlaskClient) -> None:
    client.set_cookie("opop_lang", "id")
    assert lang_of(client, **{"Accept-Language": "en"}) == "id"


def test_lang_parameter_beats_everything_and_is_remembered(client: FlaskClient) -> None:
    client.set_cookie("opop_lang", "id")
    assert lang_of(client, "/?lang=en") == "en"
    assert lang_of(client) == "en"


def test_the_switch_saves_the_choice_in_the_cookie_and_profile(client: FlaskClient) -> None:
    user = UserFactory(email="bahasa@example.test", locale="id")
    login(client, "bahasa@example.test")
    response = client.post("/language", data={"lang": "en", "next": "/terms"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/terms"
    assert "opop_lang=en" in response.headers["Set-Cookie"]
    assert user.locale == "en"
    assert "Terms of sale" in client.get("/terms").get_data(as_text=True)


def test_the_profile_choice_follows_the_user_to_a_new_device(client: FlaskClient) -> None:
    UserFactory(email="bahasa@example.test", locale="en")
    login(client, "bahasa@example.test")
    assert lang_of(client, **{"Accept-Language": "id"}) == "en"


def test_the_choice_made_before_login_survives_login(client: FlaskClient) -> None:
    user = UserFactory(email="bahasa@example.test", locale="id")
    client.post("/language", data={"lang": "en", "next": "/"})
    login(client, "bahasa@example.test")
    assert lang_of(client) == "en"
    assert user.locale == "en"


def test_an_unsupported_language_falls_back_to_indonesian(client: FlaskClient) -> None:
    assert lang_of(client, "/?lang=fr", **{"Accept-Language": "fr"}) == "id"


def test_the_switch_refuses_a_foreign_next(client: FlaskClient) -> None:
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "Rp0"),
        (500, "Rp500"),
        (15000, "Rp15.000"),
        (1250000, "Rp1.250.000"),
        (-5000, "-Rp5.000"),
    ],
)
def test_money_is_shown_as_whole_rupiah(amount: int, shown: str) -> None:
    assert rupiah(amount) == shown


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        rupiah(1.5)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**15))
def test_money_format_round_trips(amount: int) -> None:
    shown = rupiah(amount)
    assert shown.startswith("Rp")
    assert int(shown[2:].replace(".", "")) == amount
    groups = shown[2:].split(".")
    assert all(len(group) == 3 for group in groups[1:])


def test_money_is_the_same_in_english(client: FlaskClient) -> None:
    from tests.factories import ProductFactory, VariantFactory

    product = ProductFactory(is_featured=True)
    VariantFactory(product=product, price=15000)
    assert "Rp15.000" in client.get("/?lang=en").get_data(as_text=True)
    assert "Rp15.000" in client.get("/?lang=id").get_data(as_text=True)

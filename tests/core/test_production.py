"""Production refuses to start in an unsafe state, one clear line per problem, and answers only
for the hosts it serves (marketplace/production.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import DEFAULT_SECRET_KEY
from marketplace.errors import ConfigurationError
from tests.production import PRODUCTION_SETTINGS, PRODUCTION_SITE, production_app

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "env.example"


def refusal(**overrides: object) -> list[str]:
    """The lines of the error production stops with."""
    with pytest.raises(ConfigurationError) as refused:
        production_app(**overrides)
    header, *lines = str(refused.value).splitlines()
    assert header == "Production refuses to start:"
    return lines


def example_environment() -> dict[str, str]:
    """deploy/env.example's settings, as the systemd unit reads them."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def start_in_a_new_process(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`create_app()` with this environment (config.py reads it at import)."""
    script = (
        "from marketplace import create_app; app = create_app(); print(app.config['TRUSTED_HOSTS'])"
    )
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**keep, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- The secret -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        DEFAULT_SECRET_KEY,
        example_environment()["SECRET_KEY"],
        "change-me-0f3a9c2e7b5d1f8a6c4e2b9d7f5a3c1e",
        "9c1e7a3f5b8d0c2eCHANGEME4a6f1b3d5e7a9c2b4d6f",
        "Replace_Me_with_a_real_secret_7f3a9c2e5b1d",
        "placeholder-secret-for-the-production-server",
    ],
)
def test_production_refuses_a_placeholder_secret(secret: str) -> None:
    [line] = refusal(SECRET_KEY=secret)
    assert line.startswith("- SECRET_KEY is the placeholder of an example, not a secret.")
    assert "secrets.token_hex(32)" in line


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("", "SECRET_KEY is not set."),
        ("9c1e7a3f5b8d0c2e4a6f", "SECRET_KEY is too short (20 characters, at least 32)."),
        ("x" * 64, "SECRET_KEY is too easy to guess: only 1 different characters (at least 8)."),
        ("0101010123232323" * 4, "SECRET_KEY is too easy to guess: only 4 different characters"),
        ("0123456789abcdef" * 4, "SECRET_KEY is too easy to guess: it repeats a shorter piece."),
    ],
)
def test_production_refuses_a_missing_short_or_low_entropy_secret(secret: str, reason: str) -> None:
    [line] = refusal(SECRET_KEY=secret)
    assert line.startswith(f"- {reason}")


# --- The database, the mail and the public address ----------------------------------------


def test_production_refuses_to_start_without_a_database_url() -> None:
    assert refusal(SQLALCHEMY_DATABASE_URI=None) == [
        "- DATABASE_URL is not set: production does not fall back to the SQLite file in the "
        "instance folder. Set it to the PostgreSQL database "
        "(postgresql+psycopg://USER:PASSWORD@HOST:5432/opop)."
    ]


def test_production_refuses_to_send_mail_without_a_mail_server() -> None:
    [line] = refusal(MAIL_BACKEND="smtp", MAIL_SERVER=None)
    assert line.startswith("- MAIL_SERVER is not set: production does not send through a mail")
    assert "MAIL_BACKEND=log" in line


def test_production_starts_without_a_mail_server_when_mail_goes_to_the_log() -> None:
    app = production_app(MAIL_BACKEND="log", MAIL_SERVER=None)
    assert app.config["MAIL_BACKEND"] == "log"


def test_production_refuses_a_mail_backend_that_sends_nothing() -> None:
    assert refusal(MAIL_BACKEND="memory") == [
        "- MAIL_BACKEND must be smtp (send through MAIL_SERVER) or log (write emails to the "
        "log), not 'memory'."
    ]


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:5000",  # the default
        "http://pasar-opop.mojokertokota.go.id",
        "https://localhost",
        "https://127.0.0.1:8443",
        "pasar-opop.mojokertokota.go.id",
        "",
    ],
)
def test_production_refuses_a_base_url_that_is_not_its_public_https_address(base_url: str) -> None:
    [line] = refusal(SERVER_BASE_URL=base_url)
    assert line == (
        "- SERVER_BASE_URL must be the site's public https address (for example "
        f"https://pasar-opop.mojokertokota.go.id), not {base_url!r}: every link in emails, PDFs "
        "and the sitemap is built on it."
    )


def test_production_lists_every_problem_at_once_one_per_line() -> None:
    lines = refusal(
        SECRET_KEY=DEFAULT_SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=None,
        MAIL_SERVER=None,
        SERVER_BASE_URL="http://127.0.0.1:5000",
    )
    assert [line.split(" ")[1] for line in lines] == [
        "SECRET_KEY",
        "DATABASE_URL",
        "MAIL_SERVER",
        "SERVER_BASE_URL",
    ]


def test_the_example_environment_file_does_not_start_production_until_filled_in() -> None:
    result = start_in_a_new_process(example_environment())
    assert result.returncode != 0
    assert "- SECRET_KEY is the placeholder of an example, not a secret." in result.stderr


def test_production_starts_from_its_environment_variables() -> None:
    env = {
        "MARKETPLACE_CONFIG": "production",
        "SECRET_KEY": PRODUCTION_SETTINGS["SECRET_KEY"],
        "DATABASE_URL": "sqlite://",
        "SERVER_BASE_URL": PRODUCTION_SITE,
        "MAIL_BACKEND": "log",
        "TRUSTED_HOSTS": "pasar-opop.example, .pasar-opop.example",
    }
    result = start_in_a_new_process(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['pasar-opop.example', '.pasar-opop.example']"


# --- The hosts it answers for -------------------------------------------------------------


def test_production_answers_400_to_a_host_it_does_not_serve() -> None:
    client = production_app().test_client()
    for path in ("/", "/account/forgot-password", "/healthz", "/api/v1/products"):
        response = client.get(path, base_url="https://evil.example")
        assert response.status_code == 400, path
        assert response.get_data(as_text=True) == "Bad Request: unknown host\n"
    response = client.post(
        "/account/forgot-password", data={"email": "a@example.test"}, base_url="http://evil.example"
    )
    assert response.status_code == 400


def test_production_answers_its_own_host_and_the_probes_on_the_machine() -> None:
    app = production_app()
    client = app.test_client()
    assert app.config["TRUSTED_HOSTS"] == ["pasar-opop.example", "127.0.0.1", "localhost"]
    assert client.get("/account/login", base_url=PRODUCTION_SITE).status_code == 200
    # The container's HEALTHCHECK and monitoring call gunicorn on its loopback address.
    for base_url in ("http://127.0.0.1:8000", "http://localhost:8000"):
        assert client.get("/healthz", base_url=base_url).status_code == 200
        assert client.get("/readyz", base_url=base_url).status_code == 200


def test_with_trusted_hosts_set_production_answers_only_those() -> None:
    app = production_app(TRUSTED_HOSTS=["pasar-opop.example", "www.pasar-opop.example"])
    client = app.test_client()
    assert client.get("/healthz", base_url="https://www.pasar-opop.example").status_code == 200
    assert client.get("/healthz", base_url="http://127.0.0.1:8000").status_code == 400


def test_production_refuses_trusted_hosts_without_its_own_address() -> None:
    [line] = refusal(TRUSTED_HOSTS=["www.pasar-opop.example"])
    assert line.startswith(
        "- TRUSTED_HOSTS (www.pasar-opop.example) does not include SERVER_BASE_URL's host "
        "'pasar-opop.example'"
    )


def test_background_work_in_production_builds_links_on_the_public_address() -> None:
    """Cron and the job worker run in a request context on SERVER_BASE_URL, which it trusts."""
    from marketplace.urls import absolute_url, site_request_context

    app = production_app()
    with app.app_context(), site_request_context():
        assert absolute_url("accounts.login") == f"{PRODUCTION_SITE}/account/login"


# --- QRIS, e-wallets and virtual accounts (Xendit) ------------------------------------------

LIVE_XENDIT_KEY = "xnd_production_" + "4f1c9a7e2b" * 5


def test_production_starts_with_a_live_xendit_key_and_its_callback_token() -> None:
    app = production_app(XENDIT_SECRET_KEY=LIVE_XENDIT_KEY, XENDIT_CALLBACK_TOKEN="9c1e7a3f5b8d")
    assert app.config["XENDIT_SECRET_KEY"] == LIVE_XENDIT_KEY


def test_production_refuses_a_xendit_key_without_the_callback_token() -> None:
    assert refusal(XENDIT_SECRET_KEY=LIVE_XENDIT_KEY, XENDIT_CALLBACK_TOKEN=None) == [
        "- XENDIT_SECRET_KEY is set without XENDIT_CALLBACK_TOKEN: callbacks could not be "
        "verified. Set XENDIT_CALLBACK_TOKEN to the Verification Token of Xendit's dashboard "
        "(Settings, Webhooks), or unset XENDIT_SECRET_KEY to hide QRIS, e-wallets and virtual "
        "accounts."
    ]


def test_production_refuses_a_callback_token_without_a_xendit_key() -> None:
    [line] = refusal(XENDIT_SECRET_KEY=None, XENDIT_CALLBACK_TOKEN="9c1e7a3f5b8d")
    assert line.startswith("- XENDIT_CALLBACK_TOKEN is set without XENDIT_SECRET_KEY")


def test_production_refuses_xendits_test_mode_key() -> None:
    assert refusal(
        XENDIT_SECRET_KEY="xnd_development_P4qDfOss0OCpl8RtKrROHjaQYNCk9dN5lSfk",
        XENDIT_CALLBACK_TOKEN="9c1e7a3f5b8d",
    ) == [
        "- XENDIT_SECRET_KEY is a test-mode key (xnd_development_...): shoppers' payments would "
        "never arrive. Use the live secret key (xnd_production_...) of Xendit's dashboard."
    ]


def test_production_refuses_xendits_public_key_as_the_secret_key() -> None:
    [line] = refusal(
        XENDIT_SECRET_KEY="xnd_public_production_Oh0hG3PaNvlB1vEwiGUkYTs7qCxe",
        XENDIT_CALLBACK_TOKEN="9c1e7a3f5b8d",
    )
    assert line.startswith("- XENDIT_SECRET_KEY is a public key (xnd_public_...)")


def test_production_refuses_to_send_the_xendit_key_to_a_plain_http_address() -> None:
    [line] = refusal(
        XENDIT_SECRET_KEY=LIVE_XENDIT_KEY,
        XENDIT_CALLBACK_TOKEN="9c1e7a3f5b8d",
        XENDIT_API_BASE="http://api.xendit.co",
    )
    assert line.startswith("- XENDIT_API_BASE must be an https address, not 'http://api.xendit.co'")


def test_production_lists_a_test_key_without_token_as_two_problems() -> None:
    lines = refusal(XENDIT_SECRET_KEY="xnd_development_abc", XENDIT_CALLBACK_TOKEN=None)
    assert len(lines) == 2
    assert lines[0].startswith("- XENDIT_SECRET_KEY is set without XENDIT_CALLBACK_TOKEN")
    assert lines[1].startswith("- XENDIT_SECRET_KEY is a test-mode key")


# --- WhatsApp (the Cloud API) ---------------------------------------------------------------


def test_production_starts_with_whatsapp_s_token_and_phone_number_id() -> None:
    app = production_app(
        WHATSAPP_TOKEN="EAAG-uji-token", WHATSAPP_PHONE_NUMBER_ID="106540352242922"
    )
    assert app.config["WHATSAPP_PHONE_NUMBER_ID"] == "106540352242922"


def test_production_refuses_a_whatsapp_token_without_the_phone_number_id() -> None:
    assert refusal(WHATSAPP_TOKEN="EAAG-uji-token", WHATSAPP_PHONE_NUMBER_ID=None) == [
        "- WHATSAPP_TOKEN is set without WHATSAPP_PHONE_NUMBER_ID: no WhatsApp message could be "
        "sent. Set WHATSAPP_PHONE_NUMBER_ID to the Phone number ID of Meta's WhatsApp Manager "
        "(API Setup), or unset WHATSAPP_TOKEN to leave WhatsApp off."
    ]


def test_production_refuses_a_phone_number_id_without_the_token() -> None:
    [line] = refusal(WHATSAPP_TOKEN=None, WHATSAPP_PHONE_NUMBER_ID="106540352242922")
    assert line.startswith("- WHATSAPP_PHONE_NUMBER_ID is set without WHATSAPP_TOKEN")


def test_production_sends_whatsapp_s_token_only_over_https() -> None:
    [line] = refusal(
        WHATSAPP_TOKEN="EAAG-uji-token",
        WHATSAPP_PHONE_NUMBER_ID="106540352242922",
        WHATSAPP_API_BASE="http://graph.example",
    )
    assert line.startswith("- WHATSAPP_API_BASE must be an https address")


# --- Biteship (courier rates) ---------------------------------------------------------------


def test_production_starts_with_biteship_s_key_alone() -> None:
    app = production_app(BITESHIP_API_KEY="biteship_live.uji", BITESHIP_API_BASE=None)
    assert app.config["BITESHIP_API_KEY"] == "biteship_live.uji"


def test_production_refuses_biteship_s_address_without_its_key() -> None:
    [line] = refusal(BITESHIP_API_KEY=None, BITESHIP_API_BASE="https://api.biteship.com")
    assert line.startswith("- BITESHIP_API_BASE is set without BITESHIP_API_KEY")


def test_production_sends_biteship_s_key_only_over_https() -> None:
    [line] = refusal(
        BITESHIP_API_KEY="biteship_live.uji", BITESHIP_API_BASE="http://biteship.example"
    )
    assert line.startswith("- BITESHIP_API_BASE must be an https address")


def test_production_refuses_biteship_asked_for_no_courier() -> None:
    [line] = refusal(BITESHIP_API_KEY="biteship_live.uji", BITESHIP_COURIERS=" ")
    assert line.startswith("- BITESHIP_API_KEY is set but BITESHIP_COURIERS is empty")

"""What production refuses to start without: a real secret, its own database, a way to send
mail, its public https address, the hosts it answers for, (when QRIS, e-wallets and
virtual accounts are on) Xendit's live key with its callback token, and (when WhatsApp is on)
its token with its phone number id.

Each was a silent fallback once (the placeholder secret of deploy/env.example, the SQLite file
in instance/, an SMTP server on localhost, links to http://127.0.0.1:5000). `problems` lists
every one that applies, one line each, so an operator fixes them all in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from werkzeug.sansio.utils import host_is_trusted

from config import DEFAULT_SECRET_KEY

SECRET_MIN_LENGTH = 32
#: A random key of 32 hex characters has 8 or more different ones but for about 1 in 28
#: million; "x" * 64 or "abab..." have fewer.
SECRET_MIN_DISTINCT = 8
#: Words of the examples that a real secret does not contain (compared without - _ and spaces).
PLACEHOLDER_WORDS = ("changeme", "replaceme", "placeholder")
#: How to make one, as the messages say.
HOW_TO_GENERATE = "python3 -c 'import secrets; print(secrets.token_hex(32))'"

#: Probes on the machine itself call gunicorn by its loopback address (the container's
#: HEALTHCHECK, monitoring of /healthz and /readyz): nginx forwards only the site's own name,
#: so a request naming these hosts can only come from the machine.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
MAIL_BACKENDS = ("smtp", "log")
#: Xendit's secret keys of its test mode start with this; live keys with xnd_production_.
XENDIT_TEST_KEY_PREFIX = "xnd_development_"
#: Xendit's public keys (for the browser's card forms) start with this: never the secret key.
XENDIT_PUBLIC_KEY_PREFIX = "xnd_public_"


def problems(config: Mapping[str, Any]) -> list[str]:
    """Everything that makes this configuration unsafe for production, one line each."""
    found = [*_secret_problems(config.get("SECRET_KEY") or "")]
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        found.append(
            "DATABASE_URL is not set: production does not fall back to the SQLite file in the "
            "instance folder. Set it to the PostgreSQL database "
            "(postgresql+psycopg://USER:PASSWORD@HOST:5432/opop)."
        )
    found += _mail_problems(config)
    found += _xendit_problems(config)
    found += _whatsapp_problems(config)
    found += _biteship_problems(config)
    base_host = _public_host(config.get("SERVER_BASE_URL") or "")
    if base_host is None:
        found.append(
            f"SERVER_BASE_URL must be the site's public https address (for example "
            f"https://pasar-opop.mojokertokota.go.id), not {config.get('SERVER_BASE_URL')!r}: "
            "every link in emails, PDFs and the sitemap is built on it."
        )
    trusted = config.get("TRUSTED_HOSTS")
    if base_host is not None and trusted is not None and not host_is_trusted(base_host, trusted):
        found.append(
            f"TRUSTED_HOSTS ({', '.join(trusted)}) does not include SERVER_BASE_URL's host "
            f"{base_host!r}: the site would refuse its own address. Add it, or leave "
            "TRUSTED_HOSTS unset to trust it and the loopback names."
        )
    return found


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """TRUSTED_HOSTS as set, else SERVER_BASE_URL's host and the loopback names."""
    if config.get("TRUSTED_HOSTS") is not None:
        return list(config["TRUSTED_HOSTS"])
    base_host = _public_host(config["SERVER_BASE_URL"])
    assert base_host is not None, "checked by problems()"
    return [base_host, *LOOPBACK_HOSTS]


def _secret_problems(secret: str) -> list[str]:
    fix = f"Set SECRET_KEY to a long random value of your own: `{HOW_TO_GENERATE}`."
    if not secret:
        return [f"SECRET_KEY is not set. {fix}"]
    squeezed = secret.lower().replace("-", "").replace("_", "").replace(" ", "")
    if secret == DEFAULT_SECRET_KEY or any(word in squeezed for word in PLACEHOLDER_WORDS):
        return [f"SECRET_KEY is the placeholder of an example, not a secret. {fix}"]
    if len(secret) < SECRET_MIN_LENGTH:
        return [
            f"SECRET_KEY is too short ({len(secret)} characters, at least "
            f"{SECRET_MIN_LENGTH}). {fix}"
        ]
    distinct = len(set(secret))
    if distinct < SECRET_MIN_DISTINCT:
        return [
            f"SECRET_KEY is too easy to guess: only {distinct} different characters (at least "
            f"{SECRET_MIN_DISTINCT}). {fix}"
        ]
    if (secret + secret).find(secret, 1) < len(secret):
        return [f"SECRET_KEY is too easy to guess: it repeats a shorter piece. {fix}"]
    return []


def _mail_problems(config: Mapping[str, Any]) -> list[str]:
    backend = config.get("MAIL_BACKEND")
    if backend not in MAIL_BACKENDS:
        return [
            f"MAIL_BACKEND must be smtp (send through MAIL_SERVER) or log (write emails to the "
            f"log), not {backend!r}."
        ]
    if backend == "smtp" and not config.get("MAIL_SERVER"):
        return [
            "MAIL_SERVER is not set: production does not send through a mail server on "
            "localhost by default. Set MAIL_SERVER (with MAIL_PORT, MAIL_USERNAME and "
            "MAIL_PASSWORD), or MAIL_BACKEND=log to write emails to the log instead."
        ]
    return []


def _xendit_problems(config: Mapping[str, Any]) -> list[str]:
    """QRIS, e-wallets and virtual accounts: a live secret key, and the callback token that
    proves a callback came from Xendit (without it, nothing could be marked paid safely)."""
    key = config.get("XENDIT_SECRET_KEY") or ""
    token = config.get("XENDIT_CALLBACK_TOKEN") or ""
    found = []
    if key and not token:
        found.append(
            "XENDIT_SECRET_KEY is set without XENDIT_CALLBACK_TOKEN: callbacks could not be "
            "verified. Set XENDIT_CALLBACK_TOKEN to the Verification Token of Xendit's dashboard "
            "(Settings, Webhooks), or unset XENDIT_SECRET_KEY to hide QRIS, e-wallets and "
            "virtual accounts."
        )
    if token and not key:
        found.append(
            "XENDIT_CALLBACK_TOKEN is set without XENDIT_SECRET_KEY: QRIS, e-wallets and "
            "virtual accounts stay hidden. Set XENDIT_SECRET_KEY to the live secret key "
            "(xnd_production_...), or unset XENDIT_CALLBACK_TOKEN."
        )
    if key.startswith(XENDIT_TEST_KEY_PREFIX):
        found.append(
            "XENDIT_SECRET_KEY is a test-mode key (xnd_development_...): shoppers' payments would "
            "never arrive. Use the live secret key (xnd_production_...) of Xendit's dashboard."
        )
    elif key.startswith(XENDIT_PUBLIC_KEY_PREFIX):
        found.append(
            "XENDIT_SECRET_KEY is a public key (xnd_public_...), not the secret key. Use the live "
            "secret key (xnd_production_...) of Xendit's dashboard."
        )
    api_base = config.get("XENDIT_API_BASE")
    if key and api_base and urlsplit(api_base).scheme != "https":
        found.append(
            f"XENDIT_API_BASE must be an https address, not {api_base!r}: the secret key is sent "
            "with every call. Leave it unset to use Xendit's own address."
        )
    return found


def _whatsapp_problems(config: Mapping[str, Any]) -> list[str]:
    """WhatsApp by the Cloud API: the token and the phone number id go together, and the token
    goes only to an https address."""
    token = config.get("WHATSAPP_TOKEN") or ""
    phone_number_id = config.get("WHATSAPP_PHONE_NUMBER_ID") or ""
    found = []
    if token and not phone_number_id:
        found.append(
            "WHATSAPP_TOKEN is set without WHATSAPP_PHONE_NUMBER_ID: no WhatsApp message could be "
            "sent. Set WHATSAPP_PHONE_NUMBER_ID to the Phone number ID of Meta's WhatsApp "
            "Manager (API Setup), or unset WHATSAPP_TOKEN to leave WhatsApp off."
        )
    if phone_number_id and not token:
        found.append(
            "WHATSAPP_PHONE_NUMBER_ID is set without WHATSAPP_TOKEN: WhatsApp stays off. Set "
            "WHATSAPP_TOKEN to a system user's access token, or unset WHATSAPP_PHONE_NUMBER_ID."
        )
    api_base = config.get("WHATSAPP_API_BASE")
    if token and api_base and urlsplit(api_base).scheme != "https":
        found.append(
            f"WHATSAPP_API_BASE must be an https address, not {api_base!r}: the token is sent "
            "with every message. Leave it unset to use https://graph.facebook.com."
        )
    return found


def _biteship_problems(config: Mapping[str, Any]) -> list[str]:
    """Biteship's courier rates: an address without a key is a half-made setting, and the key
    goes only to an https address."""
    key = config.get("BITESHIP_API_KEY") or ""
    api_base = config.get("BITESHIP_API_BASE") or ""
    found = []
    if api_base and not key:
        found.append(
            "BITESHIP_API_BASE is set without BITESHIP_API_KEY: courier rates stay the "
            "cooperatives' own tables. Set BITESHIP_API_KEY to the API key of Biteship's "
            "dashboard (Integrations, API key), or unset BITESHIP_API_BASE."
        )
    if key and api_base and urlsplit(api_base).scheme != "https":
        found.append(
            f"BITESHIP_API_BASE must be an https address, not {api_base!r}: the API key is sent "
            "with every call. Leave it unset to use https://api.biteship.com."
        )
    if key and not str(config.get("BITESHIP_COURIERS") or "").strip():
        found.append(
            "BITESHIP_API_KEY is set but BITESHIP_COURIERS is empty: Biteship would be asked "
            "for no courier. Name the couriers by Biteship's codes, e.g. jne,jnt,sicepat."
        )
    return found


def _public_host(base_url: str) -> str | None:
    """The host of an https address on the Internet; None for anything else."""
    try:
        parts = urlsplit(base_url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme != "https" or not host or parts.username or parts.query or parts.fragment:
        return None
    if host in LOOPBACK_HOSTS or host == "::1" or host.startswith("127."):
        return None
    return host

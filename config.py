"""Configuration classes. Every value that differs between machines comes from the environment.

`create_app` picks a class by name (``development``, ``testing``, ``production``) from
``MARKETPLACE_CONFIG`` unless one is passed in. Values that change with policy (rate limits,
time limits, thresholds) live here, never in the code that applies them.
"""

from __future__ import annotations

import os
from typing import Any

#: The placeholder secret that development uses; production refuses to start with it.
DEFAULT_SECRET_KEY = "dev-insecure-change-me"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_list(name: str) -> list[str] | None:
    """A comma-separated list; None when unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)

    # Database: None means "a SQLite file in the instance folder", resolved in create_app so the
    # path follows the instance path rather than the working directory.
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL") or None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SQLITE_FILENAME = "pasar-opop.sqlite3"
    # How long a write on SQLite waits for another writer before answering "busy, try again".
    SQLITE_BUSY_TIMEOUT_SECONDS = float(os.environ.get("SQLITE_BUSY_TIMEOUT_SECONDS", "10"))

    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None

    #: The hosts this site answers for (Flask refuses others with 400), comma-separated; a name
    #: starting with a dot also allows its subdomains. None allows any host; production then
    #: trusts SERVER_BASE_URL's host and the loopback names the probes use (see load_config).
    TRUSTED_HOSTS: list[str] | None = _env_list("TRUSTED_HOSTS")

    # Sessions and cookies.
    SESSION_COOKIE_NAME = "opop_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    FORCE_HTTPS = False
    HSTS_ENABLED = False

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # Language.
    LANGUAGES = ("id", "en")
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGE_COOKIE_NAME = "opop_lang"

    # Rate limits (Flask-Limiter notation). Tests and benchmarks raise or lower them.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        REDIS_URL if REDIS_URL else "memory://"
    )
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "5 per minute;30 per hour")
    RATELIMIT_PASSWORD_RESET = os.environ.get(
        "RATELIMIT_PASSWORD_RESET", "5 per minute;20 per hour"
    )
    #: Placing orders and sending transfer proofs, per account.
    RATELIMIT_CHECKOUT = os.environ.get("RATELIMIT_CHECKOUT", "10 per minute;100 per hour")
    RATELIMIT_PROOF_UPLOAD = os.environ.get("RATELIMIT_PROOF_UPLOAD", "10 per minute;30 per hour")
    #: Messages and questions to a cooperative, per account.
    RATELIMIT_MESSAGES = os.environ.get("RATELIMIT_MESSAGES", "10 per minute;100 per hour")
    # The public verification page of procurement documents (/v/<token>): enough for an officer
    # checking a pile of copies, too few to guess tokens.
    RATELIMIT_DOCUMENT_VERIFY = os.environ.get(
        "RATELIMIT_DOCUMENT_VERIFY", "30 per minute;300 per hour"
    )

    # Privacy (UU PDP 27/2022): the notice's version users consent to, and retention periods.
    PRIVACY_NOTICE_VERSION = "2026-11"
    MAIL_RETENTION_DAYS = _env_int("MAIL_RETENTION_DAYS", 90)
    AUDIT_IP_RETENTION_DAYS = _env_int("AUDIT_IP_RETENTION_DAYS", 365)
    #: Orders, invoices and tax records are kept this long (tax law: 10 years), without the
    #: buyer's identity once the account is deleted.
    ORDER_RECORD_RETENTION_YEARS = _env_int("ORDER_RECORD_RETENTION_YEARS", 10)

    # Accounts.
    EMAIL_VERIFICATION_MAX_AGE = 60 * 60 * 24 * 3
    PASSWORD_RESET_MAX_AGE = 60 * 60
    PASSWORD_MIN_LENGTH = 8
    # Argon2id cost (OWASP's recommended minimum: 19 MiB, 2 iterations).
    PASSWORD_HASH_TIME_COST = _env_int("PASSWORD_HASH_TIME_COST", 2)
    PASSWORD_HASH_MEMORY_KIB = _env_int("PASSWORD_HASH_MEMORY_KIB", 19 * 1024)
    #: Accept addresses on the reserved .test domain (the demo accounts use it).
    EMAIL_ALLOW_TEST_DOMAINS = _env_bool("EMAIL_ALLOW_TEST_DOMAINS", False)

    # Mail: "log" writes to the log, "smtp" sends, "memory" keeps messages in a list (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Pasar OPOP <noreply@pasaropop.test>"
    )
    #: No default: production refuses to start without one unless MAIL_BACKEND=log.
    MAIL_SERVER: str | None = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)
    #: A claim older than this is taken to belong to a crashed sender and is picked up again.
    MAIL_CLAIM_TIMEOUT = 10 * 60
    #: The site's public address (scheme, host, and the path it is mounted on, if any). Every
    #: absolute link (emails, PDFs, the sitemap, canonical links, the API, Stripe's return pages)
    #: is built on it, never on the request's Host header (marketplace/urls.py).
    SERVER_BASE_URL = os.environ.get("SERVER_BASE_URL", "http://127.0.0.1:5000")

    # How long a cached catalogue page may live at most (invalidated on every change anyway).
    CATALOGUE_CACHE_SECONDS = int(os.environ.get("CATALOGUE_CACHE_SECONDS", "60"))

    # Search (PostgreSQL): how similar (pg_trgm trigram similarity, above this) a word of the
    # catalogue must be to a misspelt word to be weighed as its correction; the correction itself
    # is by edits (catalogue.search.closest_words). Low: a swap in a short word ("btaik") leaves
    # few trigrams in common.
    SEARCH_TYPO_THRESHOLD = float(os.environ.get("SEARCH_TYPO_THRESHOLD", "0.15"))
    # Search (PostgreSQL): rank the page on a second connection while the facets are counted,
    # each statement on its own core. Tests turn it off: their data lives in a transaction
    # that no other connection sees (tests/catalogue/test_search_parallel.py turns it on).
    SEARCH_PAGE_IN_PARALLEL = os.environ.get("SEARCH_PAGE_IN_PARALLEL", "1") == "1"

    # Uploaded files (product photos, transfer proofs): a folder inside the instance folder unless
    # set.
    UPLOAD_FOLDER: str | None = os.environ.get("UPLOAD_FOLDER") or None
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")  # "local" or "s3"
    S3_BUCKET = os.environ.get("S3_BUCKET", "pasar-opop")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None  # None means AWS itself
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    S3_REGION = os.environ.get("S3_REGION", "ap-southeast-3")  # Jakarta

    # The cooperative workspace.
    #: How long a staff invitation link stays valid (seconds).
    COOPERATIVE_INVITATION_MAX_AGE = _env_int("COOPERATIVE_INVITATION_MAX_AGE", 60 * 60 * 24 * 7)
    #: How long the city's invitation to an agency (a procurement role) stays valid (seconds).
    AGENCY_INVITATION_MAX_AGE = _env_int("AGENCY_INVITATION_MAX_AGE", 60 * 60 * 24 * 7)
    #: Product photos: file size, decoded size, and how many per product. A phone's photo is
    #: 5-12 MB and 12 megapixels; pages resize it before sending where the browser can, but
    #: one that cannot still sends it whole, so the limit takes it (with room left under
    #: MAX_CONTENT_LENGTH for the rest of the form). It is stored at most 1200 pixels wide;
    #: each megapixel allowed costs about 3 MB of memory per upload while it is decoded (a
    #: JPEG is decoded at half size when that is still wide enough).
    PRODUCT_IMAGE_MAX_BYTES = _env_int("PRODUCT_IMAGE_MAX_BYTES", 15 * 1024 * 1024)
    PRODUCT_IMAGE_MAX_PIXELS = _env_int("PRODUCT_IMAGE_MAX_PIXELS", 16_000_000)
    PRODUCT_IMAGES_PER_PRODUCT = 8
    #: Bulk product and stock import: file size, rows, and from how many rows it runs in the
    #: background with a progress bar (smaller files are checked and applied within the request).
    IMPORT_MAX_BYTES = _env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
    IMPORT_MAX_ROWS = _env_int("IMPORT_MAX_ROWS", 20_000)
    IMPORT_BACKGROUND_ROWS = _env_int("IMPORT_BACKGROUND_ROWS", 5_000)
    #: Certificates expiring within these many days are flagged on the dashboard (urgent, soon).
    CERTIFICATE_WARNING_DAYS = (30, 90)
    #: Food: products of these categories (or of their subcategories) need a PIRT or a BPOM MD
    #: number. Category slugs, which never change when a category is renamed.
    CERTIFICATE_FOOD_CATEGORIES: tuple[str, ...] = (
        "makanan-minuman",
        "jamu",
        "madu",
        "sembako",
        "air-minum-kemasan",
    )
    #: These need a BPOM MD number (a PIRT is not enough): milk products and bottled water.
    CERTIFICATE_BPOM_CATEGORIES: tuple[str, ...] = ("yogurt-olahan-susu", "air-minum-kemasan")
    #: Cooperatives' owners are emailed this many days before a certificate expires (product
    #: halal certificates, the cooperative's PP 55/2022 certificate), once per threshold.
    CERTIFICATE_REMINDER_DAYS: tuple[int, ...] = (30, 7)

    # Stripe (used by the payments capability); without keys the card option is hidden.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or None
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY") or None
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or None
    #: Another address for Stripe's API (tests point it at a fake server); None means Stripe's.
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or None
    #: Where Stripe's hosted payment page lives: the Content-Security-Policy's form-action must
    #: allow it, or browsers block the redirect from our "pay" form to it.
    STRIPE_CHECKOUT_ORIGIN = os.environ.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com")
    #: Seconds to wait for one answer from Stripe, and how often to retry a failed call (with
    #: the same idempotency key, so a retry never charges or refunds twice). Both attempts must
    #: fit in gunicorn's 30-second worker timeout (GUNICORN_TIMEOUT).
    STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "10"))
    STRIPE_MAX_NETWORK_RETRIES = _env_int("STRIPE_MAX_NETWORK_RETRIES", 1)
    #: A webhook whose signature is older than this is refused (replay protection).
    STRIPE_WEBHOOK_TOLERANCE_SECONDS = _env_int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300)

    # Xendit (QRIS, e-wallets and bank virtual accounts; payments/xendit_gateway.py). Without
    # both the secret key and the callback token the option is hidden. The callback token is the
    # "Verification Token" of Xendit's dashboard (Settings, Webhooks): Xendit sends it in the
    # x-callback-token header of every callback.
    XENDIT_SECRET_KEY = os.environ.get("XENDIT_SECRET_KEY") or None
    XENDIT_CALLBACK_TOKEN = os.environ.get("XENDIT_CALLBACK_TOKEN") or None
    #: Another address for Xendit's API (tests point it at a fake server); None means Xendit's.
    XENDIT_API_BASE = os.environ.get("XENDIT_API_BASE") or None
    #: Seconds to wait for one answer from Xendit (well inside gunicorn's 30-second timeout).
    XENDIT_TIMEOUT_SECONDS = float(os.environ.get("XENDIT_TIMEOUT_SECONDS", "10"))
    # WhatsApp Business Cloud API (notifications/whatsapp.py): a notice also goes by WhatsApp
    # to those who opted in for its kind, only when both the token and the phone number id are
    # set. Sent by a job after the commit (or the every-minute sweep), never inside a request.
    WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN") or None
    WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID") or None
    #: Meta's Graph API; tests point it at a fake server.
    WHATSAPP_API_BASE = os.environ.get("WHATSAPP_API_BASE") or "https://graph.facebook.com"
    WHATSAPP_API_VERSION = os.environ.get("WHATSAPP_API_VERSION", "v21.0")
    #: An approved message template (body parameters: the notice's text, then its link). A
    #: business may write first only with a template; without one a text message is sent,
    #: which WhatsApp delivers only within 24 hours of the person's last message.
    WHATSAPP_TEMPLATE = os.environ.get("WHATSAPP_TEMPLATE") or None
    WHATSAPP_TEMPLATE_LANGUAGE = os.environ.get("WHATSAPP_TEMPLATE_LANGUAGE", "id")
    WHATSAPP_TIMEOUT_SECONDS = float(os.environ.get("WHATSAPP_TIMEOUT_SECONDS", "10"))
    #: Tries before a delivery is recorded as failed (5xx, 429, timeouts; a 4xx fails at once).
    WHATSAPP_MAX_ATTEMPTS = _env_int("WHATSAPP_MAX_ATTEMPTS", 5)
    # Courier rates by Biteship (shipping/biteship.py): off unless BITESHIP_API_KEY is set;
    # then `shipping.services.courier_rates` asks Biteship for a cooperative's courier services,
    # falling back to the cooperative's own zone table when Biteship fails or is slow. Unset:
    # the zone table alone.
    BITESHIP_API_KEY = os.environ.get("BITESHIP_API_KEY") or None
    #: Biteship's API (https://api.biteship.com when unset); tests point it at a fake server.
    BITESHIP_API_BASE = os.environ.get("BITESHIP_API_BASE") or None
    #: The couriers asked for, by Biteship's courier codes, separated by commas.
    BITESHIP_COURIERS = os.environ.get("BITESHIP_COURIERS", "jne,jnt,sicepat,anteraja,pos")
    BITESHIP_TIMEOUT_SECONDS = float(os.environ.get("BITESHIP_TIMEOUT_SECONDS", "5"))
    #: How long a quote is kept (Redis when REDIS_URL is set, else in the process).
    BITESHIP_CACHE_SECONDS = _env_int("BITESHIP_CACHE_SECONDS", 600)
    #: Xendit's fees are the platform's; with this on, the daily reconciliation charges each fee
    #: to the cooperative it served (a part's share of its payment's fee, a payout's fee).
    GATEWAY_FEES_CHARGED_TO_COOPERATIVES = _env_bool("GATEWAY_FEES_CHARGED_TO_COOPERATIVES", False)

    # Payments by bank transfer: to each cooperative's own account ("cooperative"), or to the
    # platform's ("platform", then the PLATFORM_BANK_* settings are required).
    PAYMENT_TRANSFER_ACCOUNT = os.environ.get("PAYMENT_TRANSFER_ACCOUNT", "cooperative")
    PLATFORM_BANK_NAME = os.environ.get("PLATFORM_BANK_NAME") or None
    PLATFORM_BANK_ACCOUNT_NUMBER = os.environ.get("PLATFORM_BANK_ACCOUNT_NUMBER") or None
    PLATFORM_BANK_ACCOUNT_HOLDER = os.environ.get("PLATFORM_BANK_ACCOUNT_HOLDER") or None
    #: Transfer proofs: an image (JPEG, PNG, WebP) or a PDF of at most this many bytes (a
    #: phone's photo of a receipt, 5-12 MB, as it comes from the camera); images of at most
    #: this many pixels (a phone's photo is 12 megapixels; each one allowed costs about 3 MB
    #: of memory per upload while it is decoded). Images are stored at most 2400 pixels on
    #: their long side.
    PAYMENT_PROOF_MAX_BYTES = _env_int("PAYMENT_PROOF_MAX_BYTES", 15 * 1024 * 1024)
    PAYMENT_PROOF_MAX_PIXELS = _env_int("PAYMENT_PROOF_MAX_PIXELS", 16_000_000)
    #: A proof uploaded in time keeps its order open at least this long, for the review.
    PAYMENT_PROOF_REVIEW_HOURS = _env_int("PAYMENT_PROOF_REVIEW_HOURS", 48)
    #: Card refunds Stripe did not accept are retried this many times, then flagged for the city.
    PAYMENT_REFUND_MAX_ATTEMPTS = _env_int("PAYMENT_REFUND_MAX_ATTEMPTS", 5)
    #: Payouts to cooperatives through Xendit above this many rupiah wait for a second city
    #: administrator's approval before they are sent.
    PAYOUT_APPROVAL_THRESHOLD = _env_int("PAYOUT_APPROVAL_THRESHOLD", 10_000_000)
    #: After a cooperative's bank account changes, its payouts wait this many hours (and every
    #: owner is told by email), so a stolen login cannot quietly redirect the money.
    PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE = _env_int("PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE", 48)
    #: The platform's commission on the goods of each delivered part, in percent (an exact
    #: number written as int or string: "0", "2.5"); rounded down to the whole rupiah.
    PLATFORM_COMMISSION_PERCENT: int | str = os.environ.get("PLATFORM_COMMISSION_PERCENT", "0")

    # Operations.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json" for one JSON object per line
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_ENABLED = _env_bool("METRICS_ENABLED", False)
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    # Cart: the guest cart's cookie (it holds a signed random token) and the largest quantity one
    # line may hold.
    CART_COOKIE_NAME = "opop_cart"
    CART_COOKIE_MAX_AGE = 60 * 60 * 24 * 30
    CART_MAX_LINE_QUANTITY = _env_int("CART_MAX_LINE_QUANTITY", 1000)
    #: Guest carts untouched this many days are deleted by ``flask cart purge``.
    CART_GUEST_MAX_AGE_DAYS = _env_int("CART_GUEST_MAX_AGE_DAYS", 30)

    # Orders: how long an unpaid order waits before it is cancelled and its stock released, and
    # when a delivered order completes by itself.
    ORDER_PAYMENT_MINUTES_CARD = _env_int("ORDER_PAYMENT_MINUTES_CARD", 60)
    #: How long a QRIS code stays payable (the payment request lapses with the order).
    ORDER_PAYMENT_MINUTES_QRIS = _env_int("ORDER_PAYMENT_MINUTES_QRIS", 60)
    #: A virtual account number stays payable as long as a transfer's order waits.
    ORDER_PAYMENT_MINUTES_VIRTUAL_ACCOUNT = _env_int(
        "ORDER_PAYMENT_MINUTES_VIRTUAL_ACCOUNT", 24 * 60
    )
    #: The order waits this long; an e-wallet's own request lapses sooner (the e-wallet's rule).
    ORDER_PAYMENT_MINUTES_EWALLET = _env_int("ORDER_PAYMENT_MINUTES_EWALLET", 60)
    ORDER_PAYMENT_MINUTES_BANK_TRANSFER = _env_int("ORDER_PAYMENT_MINUTES_BANK_TRANSFER", 24 * 60)
    #: Pay at pickup: days after "ready for pickup" before an uncollected order is cancelled.
    ORDER_PICKUP_DAYS = _env_int("ORDER_PICKUP_DAYS", 3)
    #: A delivered part completes by itself this many days after delivery, unless the shopper
    #: confirms receipt first ("Pesanan diterima").
    ORDER_AUTO_COMPLETE_DAYS = _env_int("ORDER_AUTO_COMPLETE_DAYS", 7)
    #: A shopper may change or delete a review this many days after writing it.
    REVIEW_EDIT_DAYS = _env_int("REVIEW_EDIT_DAYS", 30)
    #: The complaint window: days after delivery in which the shopper may complain about a part,
    #: whether or not receipt was confirmed (used by the complaints step of issue 21).
    ORDER_COMPLAINT_DAYS = _env_int("ORDER_COMPLAINT_DAYS", 3)
    #: The cooperative answers a complaint within this many working days (Saturdays and
    #: Sundays do not count); an unanswered complaint then goes to the city (the periodic job).
    COMPLAINT_ANSWER_WORKING_DAYS = _env_int("COMPLAINT_ANSWER_WORKING_DAYS", 2)
    #: Local delivery (the cooperative's flat fee) only reaches addresses in this city.
    LOCAL_DELIVERY_CITY = os.environ.get("LOCAL_DELIVERY_CITY", "Kota Mojokerto")

    # Behind a reverse proxy: how many proxies set X-Forwarded-* (0 = none, trust nothing).
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _env_int("PROXY_FIX_X_PROTO", 0)

    SEED_DEMO_ALLOWED = True

    # Government procurement (docs/procurement.md). Money is whole rupiah; rates are exact
    # numbers written as int or string ("1.5", "11/12"), never float. The rules read them through
    # marketplace.procurement.settings.ProcurementSettings, which refuses a wrong value.
    # PPN: 12% on a DPP of 11/12 of the price, i.e. 11% effective.
    PROCUREMENT_PPN_RATE_PERCENT = 12
    PROCUREMENT_PPN_DPP_FRACTION = "11/12"
    #: The treasurer collects the PPN when the order's total including PPN is more than this.
    PROCUREMENT_PPN_COLLECTION_THRESHOLD = 2_000_000
    #: PPh 22 is withheld when the order's price excluding PPN is more than this.
    PROCUREMENT_PPH22_THRESHOLD = 2_000_000
    PROCUREMENT_PPH22_RATE_PERCENT = "1.5"
    #: Final rate instead, when the cooperative's PP 55/2022 certificate is valid.
    PROCUREMENT_PPH22_PP55_RATE_PERCENT = "0.5"
    #: Documents whose own value is more than the threshold carry a stamp duty (meterai).
    PROCUREMENT_STAMP_DUTY_THRESHOLD = 5_000_000
    PROCUREMENT_STAMP_DUTY_AMOUNT = 10_000
    # Document by the order's total including PPN (each bound inclusive): proof of purchase,
    # kuitansi, SPK; above the SPK bound a full contract, which this channel refuses.
    PROCUREMENT_PROOF_OF_PURCHASE_MAX = 10_000_000
    PROCUREMENT_KUITANSI_MAX = 50_000_000
    PROCUREMENT_SPK_MAX = 200_000_000
    #: Government card (KKP) payments to one payee may not exceed this.
    PROCUREMENT_CARD_LIMIT_PER_PAYEE = 200_000_000
    #: Earlier orders this many calendar days around a new one count towards the splitting check.
    PROCUREMENT_SPLITTING_WINDOW_DAYS = 30
    PROCUREMENT_QUOTATION_LAPSE_WORKING_DAYS = 3
    PROCUREMENT_ORDER_ACCEPTANCE_WORKING_DAYS = 3
    #: The national target: this share (percent) of an agency's goods budget should go to small
    #: businesses and cooperatives; the spend report compares each agency against it.
    PROCUREMENT_LOCAL_SHARE_TARGET_PERCENT = 40
    #: Working days are counted on the calendar of this zone (Kota Mojokerto is on WIB).
    PROCUREMENT_TIMEZONE = "Asia/Jakarta"
    #: Public holidays skipped by working-day counts (weekends are always skipped).
    #: 2026: SKB Menteri Agama, Menteri Ketenagakerjaan and Menteri PANRB No. 1497, 2 and 5 of
    #: 2025 (17 national holidays). 2027: only the dates fixed by law or by the calendar (Easter,
    #: the Chinese new year); the Islamic, Nyepi and Waisak dates of 2027 are not listed yet.
    #: Check this list against the official SKB every year and add its dates. The SKB's cuti
    #: bersama (2026: 16 Feb, 18, 20, 23, 24 Mar, 15, 28 May, 24 Dec) are not public holidays;
    #: add them here only if the city decides that they stop the clock too.
    PROCUREMENT_HOLIDAYS: tuple[str, ...] = (
        "2026-01-01",  # Tahun Baru Masehi
        "2026-01-16",  # Isra Mikraj Nabi Muhammad SAW
        "2026-02-17",  # Tahun Baru Imlek 2577 Kongzili
        "2026-03-19",  # Hari Suci Nyepi, Tahun Baru Saka 1948
        "2026-03-21",  # Idul Fitri 1447 H
        "2026-03-22",  # Idul Fitri 1447 H
        "2026-04-03",  # Wafat Yesus Kristus
        "2026-04-05",  # Kebangkitan Yesus Kristus (Paskah)
        "2026-05-01",  # Hari Buruh Internasional
        "2026-05-14",  # Kenaikan Yesus Kristus
        "2026-05-27",  # Idul Adha 1447 H
        "2026-05-31",  # Waisak 2570 BE
        "2026-06-01",  # Hari Lahir Pancasila
        "2026-06-16",  # Tahun Baru Islam 1448 H
        "2026-08-17",  # Hari Kemerdekaan Republik Indonesia
        "2026-08-25",  # Maulid Nabi Muhammad SAW
        "2026-12-25",  # Kelahiran Yesus Kristus (Natal)
        "2027-01-01",  # Tahun Baru Masehi
        "2027-02-06",  # Tahun Baru Imlek 2578 Kongzili
        "2027-03-26",  # Wafat Yesus Kristus
        "2027-03-28",  # Kebangkitan Yesus Kristus (Paskah)
        "2027-05-01",  # Hari Buruh Internasional
        "2027-05-06",  # Kenaikan Yesus Kristus
        "2027-06-01",  # Hari Lahir Pancasila
        "2027-08-17",  # Hari Kemerdekaan Republik Indonesia
        "2027-12-25",  # Kelahiran Yesus Kristus (Natal)
    )


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False
    EMAIL_ALLOW_TEST_DOMAINS = True
    #: With MAIL_BACKEND=smtp a development machine sends through its own mail server.
    MAIL_SERVER = Config.MAIL_SERVER or "localhost"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_APP_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False  # tests that check CSRF turn it back on
    MAIL_BACKEND = "memory"
    EMAIL_ALLOW_TEST_DOMAINS = True
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_LOGIN = "1000 per minute"
    RATELIMIT_REGISTER = "1000 per minute"
    RATELIMIT_PASSWORD_RESET = "1000 per minute"
    RATELIMIT_CHECKOUT = "1000 per minute"
    RATELIMIT_PROOF_UPLOAD = "1000 per minute"
    RATELIMIT_MESSAGES = "1000 per minute"
    RATELIMIT_DOCUMENT_VERIFY = "1000 per minute"
    SERVER_NAME = None
    #: The test client's own address, so the links in the tests' emails open in it.
    SERVER_BASE_URL = "http://localhost"
    TRUSTED_HOSTS = None  # tests name hosts of their own (tests/hosts.py), whatever the machine's
    # Card payments stay off unless a test turns them on (against tests/stripe_fake.py).
    STRIPE_SECRET_KEY = None
    STRIPE_PUBLISHABLE_KEY = None
    STRIPE_WEBHOOK_SECRET = None
    STRIPE_API_BASE = None
    STRIPE_TIMEOUT_SECONDS = 2.0
    STRIPE_MAX_NETWORK_RETRIES = 0
    # QRIS, e-wallets and virtual accounts stay off unless a test turns them on (against
    # tests/xendit_fake.py).
    XENDIT_SECRET_KEY = None
    XENDIT_CALLBACK_TOKEN = None
    XENDIT_API_BASE = None
    # Generous: a loaded CI machine can be slow to answer even from the fake server; the timeout
    # test sets its own short limit.
    XENDIT_TIMEOUT_SECONDS = 10.0
    # WhatsApp stays off unless a test turns it on (against tests/whatsapp_fake.py).
    WHATSAPP_TOKEN = None
    WHATSAPP_PHONE_NUMBER_ID = None
    WHATSAPP_TIMEOUT_SECONDS = 5.0
    # Biteship stays off unless a test turns it on (against tests/biteship_fake.py).
    BITESHIP_API_KEY = None
    BITESHIP_API_BASE = None
    BITESHIP_TIMEOUT_SECONDS = 5.0
    PAYMENT_TRANSFER_ACCOUNT = "cooperative"
    PLATFORM_COMMISSION_PERCENT = "0"
    SEARCH_PAGE_IN_PARALLEL = False


class ProductionConfig(Config):
    ENV_NAME = "production"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", False)
    HSTS_ENABLED = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    SEED_DEMO_ALLOWED = False


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

"""Account rules: registration, verification, login, password reset, profile and addresses."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from marketplace import audit
from marketplace.accounts.address_regions import set_region
from marketplace.accounts.exceptions import (
    AccountDisabled,
    CannotDisableSelf,
    InvalidCredentials,
    InvalidToken,
    UnknownRegion,
)
from marketplace.accounts.models import Address, User
from marketplace.accounts.passwords import hash_password, needs_rehash, verify_password
from marketplace.accounts.sessions import end_all_sign_ins
from marketplace.database import utcnow
from marketplace.errors import NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.mail import queue_email
from marketplace.regions.services import RegionPath, path_of
from marketplace.urls import absolute_url

_VERIFY_SALT = "accounts.verify-email"
_RESET_SALT = "accounts.reset-password"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    password: str,
    full_name: str,
    *,
    phone: str | None = None,
    locale: str | None = None,
    verified: bool = False,
    is_city_admin: bool = False,
) -> User:
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password),
        full_name=full_name.strip(),
        phone=phone,
        locale=locale,
        email_verified_at=utcnow() if verified else None,
        is_city_admin=is_city_admin,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_user(
    email: str,
    password: str,
    full_name: str,
    locale: str | None,
    phone: str | None = None,
    next_path: str | None = None,
) -> User | None:
    """Create a shopper account and send the verification email.

    When the email is already registered nothing is created and the owner of that address gets
    a notice instead, so the page looks the same either way (no account enumeration).
    ``next_path`` (a path on this site, checked by the caller) is where the links in either
    email lead after signing in: a guest who registers at checkout comes back to checkout.
    """
    existing = find_user_by_email(email)
    if existing is not None:
        # Hashed and thrown away: creating an account costs one hash, and a reply that came
        # back sooner for a registered address would tell the address is registered.
        hash_password(password)
        queue_email(
            existing.email,
            "account_exists",
            existing.locale or locale,
            user=existing,
            login_url=absolute_url("accounts.login", next=next_path),
            reset_url=absolute_url("accounts.forgot_password"),
        )
        return None
    user = create_user(email, password, full_name, phone=phone, locale=locale)
    # The registration form cannot be sent without accepting the notice: record which one.
    user.privacy_notice_version = current_app.config["PRIVACY_NOTICE_VERSION"]
    user.privacy_consented_at = utcnow()
    send_verification_email(user, next_path)
    audit.record("account.registered", user, actor_id=user.id)
    return user


def send_verification_email(user: User, next_path: str | None = None) -> None:
    """The link that verifies the address; after it, signing in leads to ``next_path``."""
    token = _serializer(_VERIFY_SALT).dumps({"uid": user.id, "email": user.email})
    queue_email(
        user.email,
        "verify_email",
        user.locale,
        user=user,
        verify_url=absolute_url("accounts.verify_email", token=token, next=next_path),
    )


def verification_user(token: str) -> User:
    """Whose email a verification link confirms; `InvalidToken` when it is forged, expired or
    for an address the account no longer has. Reads only: opening the link confirms nothing
    (mail scanners open links too), its page's button does (`verify_email`)."""
    max_age = current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
    try:
        data = _serializer(_VERIFY_SALT).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired) as error:
        raise InvalidToken() from error
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise InvalidToken()
    return user


def verify_email(token: str) -> User:
    user = verification_user(token)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("account.email_verified", user, actor_id=user.id)
    return user


def authenticate(email: str, password: str) -> User:
    """Check the credentials; the same error for an unknown email and a wrong password."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise InvalidCredentials()
    if not user.is_active:
        raise AccountDisabled()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    _queue_reset_email(user)
    audit.record("account.password_reset_requested", user, actor_id=user.id)


def _queue_reset_email(user: User) -> None:
    token = _serializer(_RESET_SALT).dumps({"uid": user.id, "pw": user.password_hash[-12:]})
    queue_email(
        user.email,
        "reset_password",
        user.locale,
        user=user,
        reset_url=absolute_url("accounts.reset_password", token=token),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


# ---------------------------------------------------------------------------------------------
# The city's administration of accounts
# ---------------------------------------------------------------------------------------------


def _require_city_admin(actor: User) -> None:
    if not actor.is_city_admin:
        raise PermissionDenied()


def send_password_reset(user: User, actor: User) -> None:
    """An administrator sends the user the reset email. The administrator never sees, sets or
    learns the password: only the mailbox's owner can follow the link."""
    _require_city_admin(actor)
    if not user.is_active:
        raise AccountDisabled()
    _queue_reset_email(user)
    audit.record("account.password_reset_sent", user, actor_id=actor.id)


def disable_user(user: User, actor: User) -> None:
    """Stop an account: it can no longer sign in, and every session it has ends at once."""
    _require_city_admin(actor)
    if user.id == actor.id:
        raise CannotDisableSelf()
    if user.disabled_at is not None:
        return
    user.disabled_at = utcnow()
    end_all_sign_ins(user)
    db.session.flush()
    audit.record("account.disabled", user, actor_id=actor.id)


def enable_user(user: User, actor: User) -> None:
    _require_city_admin(actor)
    if user.disabled_at is None:
        return
    user.disabled_at = None
    db.session.flush()
    audit.record("account.enabled", user, actor_id=actor.id)


def user_for_reset_token(token: str) -> User:
    """The user a reset link belongs to. The link dies once the password has changed."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer(_RESET_SALT).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired) as error:
        raise InvalidToken() from error
    user = db.session.get(User, data.get("uid"))
    if user is None or user.password_hash[-12:] != data.get("pw") or not user.is_active:
        raise InvalidToken()
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    # A reset proves control of the mailbox.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    audit.record("account.password_reset", user, actor_id=user.id)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise InvalidCredentials(str(_current_password_wrong()))
    _set_password(user, new_password)
    audit.record("account.password_changed", user, actor_id=user.id)


def _current_password_wrong() -> str:
    from flask_babel import gettext as _

    return str(_("Kata sandi saat ini salah."))


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    # Whoever knew the old password is signed out everywhere (the route signs this device
    # in again after a change).
    end_all_sign_ins(user)


@dataclass
class ProfileData:
    full_name: str
    phone: str | None
    locale: str | None


def update_profile(user: User, data: ProfileData) -> None:
    user.full_name = data.full_name.strip()
    user.phone = data.phone or None
    user.locale = data.locale or None
    audit.record("account.profile_updated", user, actor_id=user.id)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


@dataclass
class AddressData:
    label: str
    recipient_name: str
    phone: str
    street: str
    village_code: str
    postal_code: str
    is_default: bool = False


def _owned_address(user: User, address_id: int) -> Address:
    address = db.session.scalar(
        select(Address).where(Address.id == address_id, Address.user_id == user.id)
    )
    if address is None:
        raise NotFound()
    return address


def get_address(user: User, address_id: int) -> Address:
    return _owned_address(user, address_id)


def list_addresses(user: User) -> list[Address]:
    return list(
        db.session.scalars(
            select(Address)
            .where(Address.user_id == user.id)
            .order_by(Address.is_default.desc(), Address.id)
        )
    )


def _apply_default(user: User, address: Address, make_default: bool) -> None:
    has_default = db.session.scalar(
        select(func.count())
        .select_from(Address)
        .where(Address.user_id == user.id, Address.is_default, Address.id != address.id)
    )
    if make_default or not has_default:
        for other in list_addresses(user):
            if other.id != address.id:
                other.is_default = False
        address.is_default = True


def add_address(user: User, data: AddressData) -> Address:
    """Save a new address; its region names come from the chosen village's codes."""
    path = _region_path(data)
    address = Address(user_id=user.id, **_fields(data))
    set_region(address, path)
    db.session.add(address)
    db.session.flush()
    _apply_default(user, address, data.is_default)
    return address


def update_address(user: User, address_id: int, data: AddressData) -> Address:
    address = _owned_address(user, address_id)
    path = _region_path(data)
    for key, value in _fields(data).items():
        setattr(address, key, value)
    set_region(address, path)
    _apply_default(user, address, data.is_default)
    return address


def delete_address(user: User, address_id: int) -> None:
    address = _owned_address(user, address_id)
    was_default = address.is_default
    db.session.delete(address)
    db.session.flush()
    if was_default:
        remaining = list_addresses(user)
        if remaining:
            remaining[0].is_default = True


def _fields(data: AddressData) -> dict[str, str]:
    return {
        "label": data.label.strip(),
        "recipient_name": data.recipient_name.strip(),
        "phone": data.phone.strip(),
        "street": data.street.strip(),
        "postal_code": data.postal_code.strip(),
    }


def _region_path(data: AddressData) -> RegionPath:
    path = path_of(data.village_code)
    if path is None:
        raise UnknownRegion()
    return path

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError


class InvalidCredentials(DomainError):
    status_code = 400
    default_message = _l("Email atau kata sandi salah.")


class AccountDisabled(DomainError):
    status_code = 400
    default_message = _l("Akun ini dinonaktifkan. Hubungi pengelola Pasar OPOP.")


class InvalidToken(DomainError):
    status_code = 400
    default_message = _l("Tautan tidak valid atau sudah kedaluwarsa. Silakan minta tautan baru.")


class WeakPassword(DomainError):
    default_message = _l("Kata sandi terlalu lemah.")


class CannotDisableSelf(DomainError):
    status_code = 409
    default_message = _l("Anda tidak dapat menonaktifkan akun Anda sendiri.")


class InvalidInvitation(DomainError):
    default_message = _l("Undangan tidak valid, sudah dipakai, atau sudah kedaluwarsa.")


class InvitationForSomeoneElse(DomainError):
    default_message = _l(
        "Undangan ini dikirim ke alamat email lain. Masuk dengan akun yang memakai email itu."
    )


class UnknownRegion(DomainError):
    status_code = 400
    default_message = _l("Pilih kelurahan/desa dari daftar.")

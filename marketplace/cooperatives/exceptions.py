from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, PermissionDenied


class InvalidTransition(DomainError):
    status_code = 409
    default_message = _l("Status koperasi tidak dapat diubah dengan cara ini.")


class AlreadyMember(DomainError):
    default_message = _l("Akun ini sudah menjadi anggota sebuah koperasi.")


class InvalidInvitation(DomainError):
    default_message = _l("Undangan tidak valid, sudah dipakai, atau sudah kedaluwarsa.")


class InvitationForSomeoneElse(DomainError):
    default_message = _l(
        "Undangan ini dikirim ke alamat email lain. Masuk dengan akun yang memakai email itu."
    )


class OwnerOnly(PermissionDenied):
    default_message = _l("Hanya pemilik koperasi yang dapat melakukan ini.")


class CityAdminOnly(PermissionDenied):
    default_message = _l("Hanya admin kota yang dapat memutuskan pendaftaran koperasi.")


class ReasonRequired(DomainError):
    default_message = _l("Tuliskan alasannya untuk koperasi.")


class CannotRemoveOwner(DomainError):
    default_message = _l("Pemilik koperasi tidak dapat dikeluarkan.")

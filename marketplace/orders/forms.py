from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Optional, StopValidation, ValidationError

from marketplace.accounts.models import Address
from marketplace.fields import PhoneField, WholeNumberField, one_of_the_choices
from marketplace.i18n import rupiah
from marketplace.orders.checkout import CheckoutChoices, DeliveryOption, ShippingAddress
from marketplace.orders.models import DeliveryMethod, PaymentMethod
from marketplace.validators import indonesian_phone, length, postal_code, strip

NEW_ADDRESS = "new"


def needed_for_new_address(form: Form, field: Field) -> None:
    """Address fields count only when "new address" is chosen; then they are required."""
    if form.address_choice.data != NEW_ADDRESS:
        field.errors[:] = []
        raise StopValidation()
    if not (field.data or "").strip():
        raise StopValidation(str(_l("Wajib diisi.")))


class CheckoutForm(FlaskForm):
    """Address, a delivery option per cooperative (``delivery_<id>`` fields, added for the
    cooperatives in the cart by `checkout_form`) and the payment method."""

    address_choice = RadioField(
        _l("Alamat pengiriman"),
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih alamat pengiriman."))],
    )
    recipient_name = StringField(
        _l("Nama penerima"), filters=[strip], validators=[needed_for_new_address, length(120)]
    )
    phone = PhoneField(
        _l("Nomor HP"),
        filters=[strip],
        validators=[needed_for_new_address, length(20), indonesian_phone],
    )
    street = StringField(
        _l("Alamat (jalan, nomor, RT/RW)"),
        filters=[strip],
        validators=[needed_for_new_address, length(255)],
    )
    kelurahan = StringField(
        _l("Kelurahan/Desa"), filters=[strip], validators=[needed_for_new_address, length(80)]
    )
    kecamatan = StringField(
        _l("Kecamatan"), filters=[strip], validators=[needed_for_new_address, length(80)]
    )
    city = StringField(
        _l("Kota/Kabupaten"),
        filters=[strip],
        validators=[needed_for_new_address, length(80)],
        default="Kota Mojokerto",
    )
    province = StringField(
        _l("Provinsi"),
        filters=[strip],
        validators=[needed_for_new_address, length(80)],
        default="Jawa Timur",
    )
    postal_code = StringField(
        _l("Kode pos"), filters=[strip], validators=[needed_for_new_address, postal_code]
    )
    payment_method = RadioField(
        _l("Metode pembayaran"),
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih metode pembayaran."))],
    )

    #: (cooperative id, field name) of the delivery fields, in the cart's order.
    delivery_fields: list[tuple[int, str]] = []
    saved_addresses: dict[str, Address] = {}

    def validate_address_choice(self, field: Field) -> None:
        """A saved address from before regions were chosen from the list is asked again."""
        saved = self.saved_addresses.get(field.data or "")
        if saved is not None and not saved.has_region:
            raise ValidationError(
                str(
                    _l(
                        "Wilayah alamat ini belum dipilih dari daftar. Ubah alamatnya lewat "
                        "tautan di bawah, lalu lanjutkan checkout."
                    )
                )
            )

    def addresses_without_region(self) -> list[Address]:
        return [a for a in self.saved_addresses.values() if not a.has_region]

    def delivery_field(self, cooperative_id: int) -> Any:
        return self[f"delivery_{cooperative_id}"]

    def address_hints(self) -> dict[str, str]:
        """Under each saved address: who receives it and where."""
        hints = {
            key: f"{a.recipient_name} · {a.phone} · {a.one_line()}"
            for key, a in self.saved_addresses.items()
        }
        hints[NEW_ADDRESS] = str(_l("Isi alamat di bawah ini."))
        return hints

    def prefill(self, user: Any, saved: CheckoutChoices | None) -> None:
        """First visit: the default address, the first delivery option of each cooperative and
        bank transfer. Back from the review page: what was chosen before."""
        self.recipient_name.data = user.full_name
        self.phone.data = user.phone or ""
        matching = [
            key
            for key, address in self.saved_addresses.items()
            if saved is not None and _same_address(address, saved.address)
        ]
        if matching:
            self.address_choice.data = matching[0]
        elif saved is not None:
            self.address_choice.data = NEW_ADDRESS
            for name, value in saved.address.as_dict().items():
                self[name].data = value
        else:
            defaults = [key for key, a in self.saved_addresses.items() if a.is_default]
            self.address_choice.data = (defaults or [*self.saved_addresses, NEW_ADDRESS])[0]
        for cooperative_id, name in self.delivery_fields:
            field = self[name]
            previous = saved.delivery.get(cooperative_id) if saved else None
            offered = [choice.value for choice in field.choices]
            field.data = str(previous) if str(previous) in offered else (offered or [None])[0]
        offered_payments = [choice.value for choice in self.payment_method.choices]
        wanted = str(saved.payment) if saved else str(PaymentMethod.BANK_TRANSFER)
        self.payment_method.data = wanted if wanted in offered_payments else None

    def choices(self) -> CheckoutChoices:
        """What the shopper chose, once the form validated."""
        saved = self.saved_addresses.get(self.address_choice.data or "")
        if saved is not None:
            address = ShippingAddress(
                recipient_name=saved.recipient_name,
                phone=saved.phone,
                street=saved.street,
                kelurahan=saved.kelurahan,
                kecamatan=saved.kecamatan,
                city=saved.city,
                province=saved.province,
                postal_code=saved.postal_code,
            )
        else:
            address = ShippingAddress(
                recipient_name=self.recipient_name.data or "",
                phone=self.phone.data or "",
                street=self.street.data or "",
                kelurahan=self.kelurahan.data or "",
                kecamatan=self.kecamatan.data or "",
                city=self.city.data or "",
                province=self.province.data or "",
                postal_code=self.postal_code.data or "",
            )
        return CheckoutChoices(
            address=address,
            delivery={
                cooperative_id: DeliveryMethod(self[name].data)
                for cooperative_id, name in self.delivery_fields
            },
            payment=PaymentMethod(self.payment_method.data),
        )


def _same_address(address: Address, chosen: ShippingAddress) -> bool:
    return all(getattr(address, name) == value for name, value in chosen.as_dict().items())


def delivery_label(option: DeliveryOption) -> str:
    fee = rupiah(option.fee) if option.fee else str(_l("gratis"))
    return f"{option.method.label} · {fee}"


def checkout_form(
    options: Sequence[tuple[int, str, list[DeliveryOption]]],
    addresses: Sequence[Address],
    payment_methods: Sequence[PaymentMethod],
    **kwargs: Any,
) -> CheckoutForm:
    """The checkout form for this cart: one delivery field per (cooperative id, name, options)."""
    fields = {
        f"delivery_{cooperative_id}": RadioField(
            name,
            choices=[SelectChoice(str(o.method), delivery_label(o)) for o in cooperative_options],
            validate_choice=False,
            validators=[one_of_the_choices(_l("Pilih cara pengiriman untuk %(name)s.", name=name))],
        )
        for cooperative_id, name, cooperative_options in options
    }
    form_class = type("CartCheckoutForm", (CheckoutForm,), fields)
    form: CheckoutForm = form_class(**kwargs)
    form.delivery_fields = [
        (cooperative_id, f"delivery_{cooperative_id}") for cooperative_id, *_ in options
    ]
    form.saved_addresses = {str(address.id): address for address in addresses}
    form.address_choice.choices = [
        *(SelectChoice(str(address.id), address.label) for address in addresses),
        SelectChoice(NEW_ADDRESS, str(_l("Alamat baru"))),
    ]
    form.payment_method.choices = [
        SelectChoice(str(method), method.label) for method in payment_methods
    ]
    return form


class PlaceOrderForm(FlaskForm):
    """The review page's "place order": the idempotency key and the total the shopper saw."""

    idempotency_key = HiddenField()
    expected_total = WholeNumberField(
        _l("Total"), invalid_message=_l("Formulir pesanan tidak valid.")
    )

    def expected(self) -> int | None:
        return self.expected_total.data


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan pembatalan (boleh dikosongkan)"),
        filters=[strip],
        validators=[Optional(), length(500)],
    )

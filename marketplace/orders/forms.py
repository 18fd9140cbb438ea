from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    Form,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional, StopValidation, ValidationError

from marketplace.accounts.models import Address
from marketplace.fields import PhoneField, WholeNumberField, one_of_the_choices
from marketplace.i18n import rupiah
from marketplace.orders.checkout import CheckoutChoices
from marketplace.orders.delivery import (
    DeliveryOption,
    PartDelivery,
    ShippingAddress,
    address_in_village,
    courier_service_label,
)
from marketplace.orders.models import PaymentMethod
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
    cooperatives in the cart by `checkout_form`, their options set by `offer_delivery` for the
    address chosen) and the payment method."""

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
    # The region lists, as on the address form (`address_regions.fill_region_lists`).
    province_code = SelectField(_l("Provinsi"), validate_choice=False)
    regency_code = SelectField(_l("Kota/Kabupaten"), validate_choice=False)
    district_code = SelectField(_l("Kecamatan"), validate_choice=False)
    village_code = SelectField(
        _l("Kelurahan/Desa"), validate_choice=False, validators=[needed_for_new_address]
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
    #: cooperative id → what it offers to the address chosen (`offer_delivery`).
    offered: dict[int, PartDelivery] = {}

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

    def validate_village_code(self, field: Field) -> None:
        if self.destination() is None:
            raise ValidationError(str(_l("Pilih kelurahan/desa dari daftar.")))

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

    def prefill_address(self, user: Any, saved: CheckoutChoices | None) -> None:
        """First visit: the default address. Back from the review page: the one chosen."""
        self.recipient_name.data = user.full_name
        self.phone.data = user.phone or ""
        matching = [
            key
            for key, address in self.saved_addresses.items()
            if saved is not None and ShippingAddress.from_saved(address) == saved.address
        ]
        if matching:
            self.address_choice.data = matching[0]
        elif saved is not None:
            self.address_choice.data = NEW_ADDRESS
            for name in ("recipient_name", "phone", "street", "postal_code", *REGION_FIELDS):
                self[name].data = getattr(saved.address, name)
        else:
            defaults = [key for key, a in self.saved_addresses.items() if a.is_default]
            self.address_choice.data = (defaults or [*self.saved_addresses, NEW_ADDRESS])[0]

    def destination(self) -> ShippingAddress | None:
        """The address chosen, as far as it is known (a new one needs its village)."""
        saved = self.saved_addresses.get(self.address_choice.data or "")
        if saved is not None:
            return ShippingAddress.from_saved(saved)
        if self.address_choice.data != NEW_ADDRESS:
            return None
        return address_in_village(
            recipient_name=self.recipient_name.data or "",
            phone=self.phone.data or "",
            street=self.street.data or "",
            postal_code=self.postal_code.data or "",
            village_code=self.village_code.data or "",
        )

    def offer_delivery(self, offered: dict[int, PartDelivery]) -> None:
        self.offered = offered
        for cooperative_id, name in self.delivery_fields:
            part = offered.get(cooperative_id)
            self[name].choices = [
                SelectChoice(o.key, delivery_label(o)) for o in (part.options if part else [])
            ]

    def prefill_delivery(self, saved: CheckoutChoices | None) -> None:
        """The option chosen before when it is still offered, else the first; bank transfer."""
        for cooperative_id, name in self.delivery_fields:
            field = self[name]
            previous = saved.key_for(cooperative_id) if saved else None
            offered = [choice.value for choice in field.choices]
            field.data = previous if previous in offered else (offered or [None])[0]
        offered_payments = [choice.value for choice in self.payment_method.choices]
        wanted = str(saved.payment) if saved else str(PaymentMethod.BANK_TRANSFER)
        self.payment_method.data = wanted if wanted in offered_payments else None

    def choices(self) -> CheckoutChoices:
        """What the shopper chose, once the form validated."""
        address = self.destination()
        assert address is not None  # validated: a saved address, or a new one's village
        chosen = CheckoutChoices(address, {}, PaymentMethod(self.payment_method.data))
        for cooperative_id, name in self.delivery_fields:
            options = self.offered[cooperative_id].options
            chosen.choose(cooperative_id, next(o for o in options if o.key == self[name].data))
        return chosen


REGION_FIELDS = ("province_code", "regency_code", "district_code", "village_code")


def delivery_label(option: DeliveryOption) -> str:
    if option.rate is not None:
        service = courier_service_label(option.rate)
        fee = rupiah(option.fee) if option.fee else str(_l("gratis ongkir"))
        return f"{option.method.label} · {service} · {fee}"
    fee = rupiah(option.fee) if option.fee else str(_l("gratis"))
    return f"{option.method.label} · {fee}"


def checkout_form(
    cooperatives: Sequence[tuple[int, str]],
    addresses: Sequence[Address],
    payment_methods: Sequence[PaymentMethod],
    **kwargs: Any,
) -> CheckoutForm:
    """The checkout form for this cart: one delivery field per (cooperative id, name)."""
    fields = {
        f"delivery_{cooperative_id}": RadioField(
            name,
            choices=[],
            validate_choice=False,
            validators=[one_of_the_choices(_l("Pilih cara pengiriman untuk %(name)s.", name=name))],
        )
        for cooperative_id, name in cooperatives
    }
    form_class = type("CartCheckoutForm", (CheckoutForm,), fields)
    form: CheckoutForm = form_class(**kwargs)
    form.delivery_fields = [
        (cooperative_id, f"delivery_{cooperative_id}") for cooperative_id, _name in cooperatives
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

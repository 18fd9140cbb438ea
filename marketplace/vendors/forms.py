"""The workspace's forms. Formats are checked here; business rules live in the services."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    SelectChoice,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from marketplace.catalogue import management
from marketplace.cooperatives.models import KECAMATAN, CooperativeKind
from marketplace.fields import ChoiceField, DayField, PhoneField, RupiahField, WholeNumberField
from marketplace.inventory.stock import Adjustment
from marketplace.orders.couriers import BY_CODE, COURIERS
from marketplace.shipping.zones import Zone
from marketplace.uploads import megabytes
from marketplace.validators import (
    digits_only,
    email,
    exact_digits,
    length,
    postal_code,
    required,
    strip,
    whatsapp_number,
)


def required_number() -> InputRequired:
    """Required, but 0 is an answer (DataRequired would refuse it)."""
    return InputRequired(message=_l("Wajib diisi."))


def at_least(minimum: int) -> NumberRange:
    return NumberRange(min=minimum, message=_l("Paling sedikit %(min)s.", min=minimum))


def _kind_choices() -> list[SelectChoice]:
    return [
        SelectChoice(
            CooperativeKind.KOPPONTREN.value, _l("Koppontren (koperasi pondok pesantren)")
        ),
        SelectChoice(CooperativeKind.KOPERASI.value, _l("Koperasi lainnya")),
    ]


NIB_MESSAGE = _l("NIB terdiri dari 13 angka.")
NPWP_MESSAGE = _l("NPWP terdiri dari 15 atau 16 angka.")


class _LegalFields(FlaskForm):
    """Fields shared by the application and the profile."""

    description = TextAreaField(
        _l("Tentang koperasi"),
        filters=[strip],
        validators=[required(), length(2000)],
        description=_l("Ceritakan produk dan pesantren Anda kepada pembeli."),
    )
    kelurahan = StringField(_l("Kelurahan"), filters=[strip], validators=[required(), length(80)])
    address = StringField(
        _l("Alamat (jalan, nomor, RT/RW)"), filters=[strip], validators=[required(), length(255)]
    )
    postal_code = StringField(_l("Kode pos"), filters=[strip], validators=[required(), postal_code])
    whatsapp = PhoneField(
        _l("Nomor WhatsApp"),
        filters=[strip],
        validators=[required(), length(20), whatsapp_number],
        description=_l("Pembeli menghubungi koperasi lewat nomor ini. Contoh: 081234567890."),
    )
    email = EmailField(
        _l("Email koperasi"), filters=[strip], validators=[Optional(), email(), length(254)]
    )
    is_pkp = BooleanField(_l("Koperasi berstatus PKP (Pengusaha Kena Pajak)"))
    pp55_certificate_number = StringField(
        _l("Nomor surat keterangan PP 55/2022"),
        filters=[strip],
        validators=[Optional(), length(60)],
        description=_l("Isi jika koperasi memiliki surat keterangan PPh final 0,5%."),
    )
    pp55_valid_until = DayField(
        _l("Berlaku sampai"), validators=[Optional()], render_kw={"type": "date"}
    )

    def validate(self, extra_validators: Any = None) -> bool:
        # Cross-field rules live here: ``Optional`` stops a field's own chain when it is empty.
        valid = bool(super().validate(extra_validators))
        number, until = self.pp55_certificate_number, self.pp55_valid_until
        if number.data and not until.data and not until.errors:
            until.errors = [*until.errors, str(_l("Isi tanggal berlakunya surat keterangan."))]
            valid = False
        if until.data and not number.data:
            number.errors = [*number.errors, str(_l("Isi juga nomor surat keterangannya."))]
            valid = False
        return valid


class _BankFields(FlaskForm):
    bank_name = StringField(_l("Nama bank"), filters=[strip], validators=[required(), length(60)])
    bank_account_number = StringField(
        _l("Nomor rekening"),
        filters=[strip, digits_only],
        validators=[required(), length(20, min=6)],
    )
    bank_account_holder = StringField(
        _l("Nama pemilik rekening"), filters=[strip], validators=[required(), length(120)]
    )

    def validate_bank_account_number(self, field: Field) -> None:
        if not (field.data or "").isdigit():
            raise ValidationError(str(_l("Nomor rekening hanya berisi angka.")))


class ApplicationForm(_LegalFields, _BankFields):
    name = StringField(
        _l("Nama koperasi"), filters=[strip], validators=[required(), length(160, min=3)]
    )
    kind = ChoiceField(_l("Jenis koperasi"), choices=_kind_choices, validators=[required()])
    pesantren_name = StringField(
        _l("Nama pondok pesantren"),
        filters=[strip],
        validators=[Optional(), length(160)],
        description=_l("Wajib untuk Koppontren."),
    )
    kecamatan = ChoiceField(
        _l("Kecamatan"), choices=[SelectChoice(k, k) for k in KECAMATAN], validators=[required()]
    )
    nib = StringField(
        _l("NIB (Nomor Induk Berusaha)"),
        filters=[strip, digits_only],
        validators=[required(), exact_digits(13, message=NIB_MESSAGE)],
    )
    npwp = StringField(
        _l("NPWP koperasi"),
        filters=[strip, digits_only],
        validators=[required(), exact_digits(15, 16, message=NPWP_MESSAGE)],
        description=_l("15 atau 16 angka; titik dan tanda hubung boleh ditulis."),
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == CooperativeKind.KOPPONTREN and not self.pesantren_name.data:
            self.pesantren_name.errors = [
                *self.pesantren_name.errors,
                str(_l("Wajib diisi untuk Koppontren.")),
            ]
            valid = False
        return valid


class NewApplicationForm(ApplicationForm):
    accept_terms = BooleanField(
        _l("Data di atas benar dan saya berwenang mewakili koperasi ini."),
        validators=[required()],
    )


class ProfileForm(_LegalFields):
    local_delivery_fee = RupiahField(
        _l("Ongkos antar dalam kota (Rp)"),
        validators=[Optional(), at_least(0)],
        description=_l("Isi 0 jika gratis."),
    )
    free_courier_minimum = RupiahField(
        _l("Gratis ongkir kurir mulai belanja (Rp)"),
        validators=[Optional(), at_least(1)],
        description=_l(
            "Kosongkan bila tidak ada. Mulai jumlah ini, layanan kurir termurah gratis bagi "
            "pembeli; koperasi yang membayar kurirnya."
        ),
    )


class BankAccountForm(_BankFields):
    pass


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email staf"), filters=[strip], validators=[required(), email(), length(254)]
    )


# ---------------------------------------------------------------------------------------------
# Listings
# ---------------------------------------------------------------------------------------------


def _check_pirt(form: Form, field: Field) -> None:
    if field.data:
        field.data = management.normalize_pirt(field.data)
        if not management.valid_pirt(field.data):
            raise ValidationError(str(_l("Nomor PIRT terdiri dari 15 angka.")))


def _check_bpom(form: Form, field: Field) -> None:
    if field.data:
        normalized = management.normalize_bpom_md(field.data)
        if normalized is None:
            raise ValidationError(str(_l("Nomor BPOM MD ditulis MD diikuti 12 angka.")))
        field.data = normalized


def _check_sku(form: Form, field: Field) -> None:
    field.data = management.normalize_sku(field.data or "")
    if not management.valid_sku(field.data):
        raise ValidationError(
            str(_l("SKU hanya boleh huruf, angka, titik, garis bawah, dan tanda hubung."))
        )


class ProductForm(FlaskForm):
    name = StringField(
        _l("Nama produk"), filters=[strip], validators=[required(), length(160, min=3)]
    )
    category_id = ChoiceField(_l("Kategori"), coerce=int, validators=[required()])
    description = TextAreaField(
        _l("Deskripsi"), filters=[strip], validators=[required(), length(5000)]
    )
    unit = StringField(
        _l("Satuan jual"),
        filters=[strip],
        validators=[required(), length(30)],
        description=_l("Misalnya bungkus, botol, atau lembar."),
    )
    weight_grams = WholeNumberField(
        _l("Berat kirim (gram)"), validators=[Optional(), at_least(0)], default=0
    )
    min_order_qty = WholeNumberField(
        _l("Minimal pembelian"), validators=[Optional(), at_least(1)], default=1
    )
    halal_number = StringField(
        _l("Nomor sertifikat halal"), filters=[strip], validators=[Optional(), length(40)]
    )
    halal_valid_until = DayField(
        _l("Sertifikat halal berlaku sampai"), validators=[Optional()], render_kw={"type": "date"}
    )
    pirt_number = StringField(
        _l("Nomor PIRT"), filters=[strip], validators=[Optional(), _check_pirt]
    )
    bpom_md_number = StringField(
        _l("Nomor BPOM MD"),
        filters=[strip],
        validators=[Optional(), _check_bpom],
        description=_l("Wajib untuk produk susu (misalnya yogurt), air minum, daging, dan ikan."),
    )
    sni = BooleanField(_l("Bersertifikat SNI"))

    def __init__(self, *args: Any, locale: str = "id", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category_id.choices = [
            SelectChoice(cid, name_en if locale == "en" else name)
            for cid, name, name_en in management.category_choices()
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        number, until = self.halal_number, self.halal_valid_until
        if number.data and not until.data and not until.errors:
            until.errors = [*until.errors, str(_l("Isi tanggal berlaku sertifikat halal."))]
            valid = False
        if until.data and not number.data:
            number.errors = [*number.errors, str(_l("Isi juga nomor sertifikat halalnya."))]
            valid = False
        return valid

    def product_data(self) -> management.ProductData:
        return management.ProductData(
            category_id=self.category_id.data,
            name=self.name.data,
            description=self.description.data,
            unit=self.unit.data,
            weight_grams=self.weight_grams.data or 0,
            min_order_qty=self.min_order_qty.data or 1,
            halal_number=self.halal_number.data or None,
            halal_valid_until=self.halal_valid_until.data,
            pirt_number=self.pirt_number.data or None,
            bpom_md_number=self.bpom_md_number.data or None,
            sni=bool(self.sni.data),
        )


class _VariantFields(FlaskForm):
    sku = StringField(
        _l("SKU (kode barang)"),
        filters=[strip],
        validators=[required(), length(60), _check_sku],
        description=_l("Kode unik di koperasi Anda, misalnya KRP-TEMPE-250."),
    )
    size = StringField(
        _l("Ukuran"),
        filters=[strip],
        validators=[Optional(), length(40)],
        description=_l("Kosongkan jika hanya ada satu ukuran."),
    )
    colour = StringField(_l("Warna"), filters=[strip], validators=[Optional(), length(40)])
    price = RupiahField(_l("Harga satuan (Rp)"), validators=[required_number(), at_least(0)])
    low_stock_threshold = WholeNumberField(
        _l("Batas stok menipis"),
        validators=[Optional(), at_least(0)],
        default=5,
        description=_l("Anda diingatkan saat stok tersedia sama atau di bawah angka ini."),
    )

    def variant_data(self, tiers: list[tuple[int, int]] | None = None) -> management.VariantData:
        threshold = self.low_stock_threshold.data
        return management.VariantData(
            sku=self.sku.data,
            price=self.price.data or 0,
            size=self.size.data or "",
            colour=self.colour.data or "",
            low_stock_threshold=5 if threshold is None else threshold,
            tiers=tiers or [],
        )


class VariantForm(_VariantFields):
    """A variant with up to three bulk price tiers (flat fields, so every one has a label)."""

    tier1_quantity = WholeNumberField(
        _l("Grosir 1: mulai jumlah"), validators=[Optional(), at_least(2)]
    )
    tier1_price = RupiahField(_l("Grosir 1: harga satuan (Rp)"), validators=[Optional()])
    tier2_quantity = WholeNumberField(
        _l("Grosir 2: mulai jumlah"), validators=[Optional(), at_least(2)]
    )
    tier2_price = RupiahField(_l("Grosir 2: harga satuan (Rp)"), validators=[Optional()])
    tier3_quantity = WholeNumberField(
        _l("Grosir 3: mulai jumlah"), validators=[Optional(), at_least(2)]
    )
    tier3_price = RupiahField(_l("Grosir 3: harga satuan (Rp)"), validators=[Optional()])

    TIER_FIELDS = (
        ("tier1_quantity", "tier1_price"),
        ("tier2_quantity", "tier2_price"),
        ("tier3_quantity", "tier3_price"),
    )

    def fill_tiers(self, tiers: list[tuple[int, int]]) -> None:
        for (quantity_name, price_name), (quantity, price) in zip(
            self.TIER_FIELDS, tiers, strict=False
        ):
            self[quantity_name].data = quantity
            self[price_name].data = price

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for quantity_name, price_name in self.TIER_FIELDS:
            quantity, price = self[quantity_name], self[price_name]
            if (quantity.data is None) != (price.data is None) and not (
                quantity.errors or price.errors
            ):
                missing = price if price.data is None else quantity
                missing.errors = [*missing.errors, str(_l("Isi jumlah dan harganya."))]
                valid = False
        return valid

    def tier_values(self) -> list[tuple[int, int]]:
        values = []
        for quantity_name, price_name in self.TIER_FIELDS:
            quantity, price = self[quantity_name].data, self[price_name].data
            if quantity is not None and price is not None:
                values.append((quantity, price))
        return values

    def variant_data(self, tiers: list[tuple[int, int]] | None = None) -> management.VariantData:
        return super().variant_data(self.tier_values() if tiers is None else tiers)


class NewVariantForm(VariantForm):
    initial_stock = WholeNumberField(
        _l("Stok awal"), validators=[Optional(), at_least(0)], default=0
    )


class NewProductForm(ProductForm, _VariantFields):
    initial_stock = WholeNumberField(
        _l("Stok awal"), validators=[Optional(), at_least(0)], default=0
    )


class ImageForm(FlaskForm):
    photo = FileField(
        _l("Foto produk"),
        validators=[FileRequired(message=_l("Pilih berkas foto."))],
        # static/js/app.js shrinks a larger photo to this many pixels before it is sent (the
        # largest copy stored is 1200 wide), so a phone on a slow network sends 300 KB, not 8 MB.
        render_kw={"accept": "image/jpeg,image/png,image/webp", "data-resize-image": "1600"},
    )
    alt_text = StringField(
        _l("Keterangan foto"),
        filters=[strip],
        validators=[Optional(), length(200)],
        description=_l("Untuk pembaca layar, misalnya: Keripik tempe dalam kemasan 250 gram."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photo.description = _(
            "JPEG, PNG, atau WebP; paling besar %(mb)s MB. Foto langsung dari kamera ponsel bisa "
            "dipakai.",
            mb=megabytes(current_app.config["PRODUCT_IMAGE_MAX_BYTES"]),
        )


# ---------------------------------------------------------------------------------------------
# Stock and imports
# ---------------------------------------------------------------------------------------------


def _adjustment_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Adjustment.RESTOCK.value, _l("Barang masuk (tambah stok)")),
        SelectChoice(Adjustment.CORRECTION.value, _l("Koreksi hasil hitung (stok sebenarnya)")),
        SelectChoice(Adjustment.DAMAGE.value, _l("Rusak")),
        SelectChoice(Adjustment.LOSS.value, _l("Hilang")),
    ]


class StockForm(FlaskForm):
    kind = ChoiceField(_l("Jenis perubahan"), choices=_adjustment_choices, validators=[required()])
    quantity = WholeNumberField(
        _l("Jumlah"),
        validators=[required_number(), at_least(0)],
        description=_l("Untuk koreksi, isi jumlah hasil hitung di gudang."),
    )
    note = StringField(
        _l("Keterangan"),
        filters=[strip],
        validators=[Optional(), length(255)],
        description=_l("Wajib untuk koreksi, rusak, dan hilang."),
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("Berkas CSV atau XLSX"),
        validators=[FileRequired(message=_l("Pilih berkas CSV atau XLSX."))],
        render_kw={
            "accept": ".csv,.xlsx,text/csv,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )


# ---------------------------------------------------------------------------------------------
# Orders to fulfil
# ---------------------------------------------------------------------------------------------


class RejectOrderForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan penolakan"),
        filters=[strip],
        validators=[required(), length(500)],
        description=_l("Pembeli membaca alasan ini di email dan di halaman pesanannya."),
    )


#: The courier choice of a pengantar of the cooperative's own or a service not listed.
OTHER_COURIER = "other"


class ShipOrderForm(FlaskForm):
    courier = ChoiceField(
        _l("Kurir"),
        choices=[
            SelectChoice("", _l("Pilih kurir")),
            *(SelectChoice(courier.code, courier.name) for courier in COURIERS),
            SelectChoice(OTHER_COURIER, _l("Lainnya, atau pengantar dari koperasi")),
        ],
        validators=[InputRequired(message=_l("Pilih kurir."))],
    )
    courier_name = StringField(
        _l("Nama kurir atau pengantar"),
        filters=[strip],
        validators=[Optional(), length(60)],
        description=_l("Bila memilih Lainnya: nama jasa kurir atau pengantar dari koperasi."),
    )
    tracking_number = StringField(
        _l("Nomor resi"),
        filters=[strip],
        validators=[Optional(), length(80)],
        description=_l("Wajib untuk kiriman lewat jasa kurir."),
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    resi_confirmed = BooleanField(_l("Nomor resi sudah benar"))

    def chosen_courier_name(self) -> str:
        """The courier's name as the shopper reads it: the listed one's, or the one typed."""
        courier = BY_CODE.get(self.courier.data or "")
        return courier.name if courier else (self.courier_name.data or "")


# ---------------------------------------------------------------------------------------------
# The cooperative's courier table
# ---------------------------------------------------------------------------------------------


def _zone_choices() -> list[SelectChoice]:
    return [SelectChoice(str(zone), zone.label) for zone in Zone]


class CourierBandForm(FlaskForm):
    """A band of a zone: its fee for a parcel up to a weight (the same weight again changes the
    fee)."""

    zone = ChoiceField(_l("Zona tujuan"), choices=_zone_choices, validators=[required()])
    max_weight_grams = WholeNumberField(
        _l("Berat paket sampai (gram)"), validators=[required_number(), at_least(1)]
    )
    fee = RupiahField(_l("Ongkos kirim (Rp)"), validators=[required_number(), at_least(0)])

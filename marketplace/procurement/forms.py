"""Procurement forms. Lines are dynamic (a price per request line, a quantity per order line),
so those forms are built per page by the ``*_form`` functions; every message is localized."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional, StopValidation, ValidationError

from marketplace.fields import DayField, RupiahField, WholeNumberField, one_of_the_choices
from marketplace.i18n import rupiah
from marketplace.procurement import budget_lines, inspection
from marketplace.procurement.agencies import InvalidNip, clean_nip
from marketplace.procurement.common import MAX_AMOUNT, MAX_QUANTITY, today
from marketplace.procurement.models import PaymentMethod
from marketplace.validators import end_not_before_start, length, strip


def needed(message: Any) -> Any:
    """Required, with a message naming what is missing (parse errors keep their own)."""

    def check(form: Form, field: Field) -> None:
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            if field.errors:
                raise StopValidation()
            raise StopValidation(str(message))

    return check


def amount_in_range(minimum: int = 1, maximum: int = MAX_AMOUNT) -> Any:
    def check(form: Form, field: Field) -> None:
        if field.data is None:
            return
        if field.data < minimum:
            raise ValidationError(str(_l("Minimal Rp%(n)s.", n=f"{minimum:,}".replace(",", "."))))
        if field.data > maximum:
            raise ValidationError(str(_l("Nilai terlalu besar.")))

    return check


def quantity_in_range(minimum: int = 1) -> Any:
    def check(form: Form, field: Field) -> None:
        if field.data is None:
            return
        if field.data < minimum:
            raise ValidationError(str(_l("Jumlah minimal %(n)d.", n=minimum)))
        if field.data > MAX_QUANTITY:
            raise ValidationError(
                str(_l("Jumlah paling banyak %(n)s.", n=format_decimal(MAX_QUANTITY)))
            )

    return check


def not_in_future(form: Form, field: Field) -> None:
    from marketplace.procurement.common import today

    if isinstance(field.data, date) and field.data > today():
        raise ValidationError(str(_l("Tanggal tidak boleh di masa depan.")))


def after_today(form: Form, field: Field) -> None:
    from marketplace.procurement.common import today

    if isinstance(field.data, date) and field.data <= today():
        raise ValidationError(str(_l("Tanggal harus setelah hari ini.")))


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; an unknown value gets a localized message (WTForms' own is English)."""

    def pre_validate(self, form: Form) -> None:
        offered = {str(choice.value) for choice in self.choices or []}
        if any(str(value) not in offered for value in self.data or []):
            raise StopValidation(str(_l("Pilih dari daftar yang tersedia.")))

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        values = []
        for value in valuelist:
            if not str(value).isdigit():
                self.data = []
                raise ValueError(str(_l("Pilih dari daftar yang tersedia.")))
            values.append(int(value))
        self.data = values


class RequestForm(FlaskForm):
    agency_id = SelectField(
        _l("OPD"),
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih OPD Anda."))],
    )
    title = StringField(
        _l("Judul permintaan"),
        filters=[strip],
        validators=[needed(_l("Isi judul permintaan.")), length(200)],
    )
    kode_rup = StringField(
        _l("Kode RUP"),
        description=_l("Kode paket di Rencana Umum Pengadaan (SiRUP), misalnya 45123678."),
        filters=[strip],
        validators=[needed(_l("Isi Kode RUP.")), length(30)],
        # A full keyboard: codes may hold letters, dots, slashes and dashes.
        render_kw={"inputmode": "text", "autocomplete": "off", "spellcheck": "false"},
    )
    budget_line_id = SelectField(
        _l("Rekening belanja (DPA)"),
        description=_l("Kode rekening dan sub kegiatan DPA yang dibebani pembelian ini."),
        validate_choice=False,
        # The draft's own line (an id) is shown chosen like a posted one.
        filters=[lambda value: "" if value is None else str(value)],
        validators=[one_of_the_choices(_l("Pilih rekening belanja dari daftar."))],
    )
    ceiling = RupiahField(
        _l("HPS/pagu (termasuk PPN)"),
        description=_l("Batas harga tertinggi. Penawaran di atasnya tidak dapat disetujui."),
        validators=[needed(_l("Isi HPS/pagu.")), amount_in_range()],
    )
    delivery_date = DayField(
        _l("Tanggal pengiriman"),
        validators=[needed(_l("Isi tanggal pengiriman.")), after_today],
    )
    delivery_addresses = TextAreaField(
        _l("Alamat pengiriman"),
        description=_l("Satu alamat per baris."),
        filters=[strip],
        validators=[needed(_l("Isi minimal satu alamat pengiriman.")), length(2000)],
    )
    notes = TextAreaField(
        _l("Catatan untuk koperasi (boleh dikosongkan)"),
        filters=[strip],
        validators=[Optional(), length(2000)],
    )
    cooperative_ids = MultiCheckboxField(_l("Koperasi yang diundang"))

    def set_choices(self, agencies: Iterable[Any], cooperatives: Iterable[Any]) -> None:
        agencies = list(agencies)
        self.agency_id.choices = [SelectChoice(str(a.id), a.name) for a in agencies]
        self.cooperative_ids.choices = [SelectChoice(c.id, c.name) for c in cooperatives]
        lines = budget_lines.request_choices([a.id for a in agencies], today().year)
        self.budget_line_id.choices = [SelectChoice("", str(_l("Pilih rekening")))] + [
            SelectChoice(
                str(row.line.id),
                str(
                    _l(
                        "%(account)s · sub kegiatan %(sub)s · sisa %(remaining)s",
                        account=row.line.label,
                        sub=row.line.sub_activity_code,
                        remaining=rupiah(row.remaining),
                    )
                ),
            )
            for row in lines
        ]


class CatalogueLineForm(FlaskForm):
    variant_id = WholeNumberField(
        _l("Produk"), invalid_message=_l("Pilih produk dari hasil pencarian.")
    )
    quantity = WholeNumberField(
        _l("Jumlah"), validators=[needed(_l("Isi jumlahnya.")), quantity_in_range()]
    )


class SpecificationLineForm(FlaskForm):
    name = StringField(
        _l("Nama barang"),
        filters=[strip],
        validators=[needed(_l("Isi nama barang.")), length(200)],
    )
    specification = TextAreaField(
        _l("Spesifikasi (ukuran, kemasan, mutu)"),
        filters=[strip],
        validators=[Optional(), length(2000)],
    )
    unit = StringField(
        _l("Satuan"),
        description=_l("Misalnya pak, karton, botol, lembar."),
        filters=[strip],
        validators=[needed(_l("Isi satuan.")), length(30)],
    )
    quantity = WholeNumberField(
        _l("Jumlah"), validators=[needed(_l("Isi jumlahnya.")), quantity_in_range()]
    )
    category_id = SelectField(
        _l("Jenis barang"),
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih jenis barang dari daftar."))],
    )

    def set_choices(self, categories: Iterable[Any], locale: str) -> None:
        self.category_id.choices = [
            SelectChoice(
                str(c.id),
                f"{c.parent.display_name(locale)} › {c.display_name(locale)}"
                if c.parent
                else c.display_name(locale),
            )
            for c in categories
        ]


class QuantityForm(FlaskForm):
    quantity = WholeNumberField(
        _l("Jumlah"), validators=[needed(_l("Isi jumlahnya.")), quantity_in_range()]
    )


class HpsForm(FlaskForm):
    hps = RupiahField(
        _l("HPS satuan"),
        validators=[Optional(), amount_in_range()],
        description=_l("Kosongkan untuk menghapus HPS barang ini."),
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan"),
        filters=[strip],
        validators=[needed(_l("Tulis alasannya.")), length(2000)],
    )


class ReturnForm(FlaskForm):
    """The PPK sends a quotation back to the pejabat pengadaan: the field says so, since on the
    page it sits right under the splitting reason of the approval."""

    reason = TextAreaField(
        _l("Alasan mengembalikan penawaran ke pejabat pengadaan"),
        description=_l("Pejabat pengadaan membacanya, lalu menawar ulang atau meneruskan lagi."),
        filters=[strip],
        validators=[needed(_l("Tulis alasan pengembalian.")), length(2000)],
    )


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Catatan (boleh dikosongkan)"), filters=[strip], validators=[Optional(), length(2000)]
    )


class ApproveForm(FlaskForm):
    splitting_reason = TextAreaField(
        _l("Alasan menyetujui meskipun ada peringatan pemecahan paket"),
        filters=[strip],
        validators=[Optional(), length(2000)],
    )


class ConfirmForm(FlaskForm):
    """A button with no fields (the CSRF token only)."""


class PricesForm(FlaskForm):
    """A unit price per request line (``price_<line id>``), with a message; offers add the
    delivery date the cooperative commits to."""

    message = TextAreaField(
        _l("Pesan (boleh dikosongkan)"), filters=[strip], validators=[Optional(), length(2000)]
    )
    price_fields: list[tuple[int, str]] = []

    def prices(self) -> dict[int, int]:
        return {line_id: int(self[name].data) for line_id, name in self.price_fields}


class OfferForm(PricesForm):
    delivery_date = DayField(
        _l("Tanggal pengiriman yang disanggupi"),
        validators=[needed(_l("Isi tanggal pengiriman.")), after_today],
    )


def prices_form(
    lines: Sequence[Any], defaults: dict[int, int | None], *, offer: bool, **kwargs: Any
) -> PricesForm:
    """The offer (cooperative) or counter-offer (agency) form for these request lines."""
    fields = {
        f"price_{line.id}": RupiahField(
            _l(
                "Harga satuan %(name)s (%(quantity)s %(unit)s)",
                name=line.name,
                quantity=line.quantity,
                unit=line.unit,
            ),
            validators=[needed(_l("Isi harga satuan.")), amount_in_range()],
        )
        for line in lines
    }
    base = OfferForm if offer else PricesForm
    form_class = type("LinePricesForm", (base,), fields)
    form: PricesForm = form_class(**kwargs)
    form.price_fields = [(line.id, f"price_{line.id}") for line in lines]
    for line in lines:
        field = form[f"price_{line.id}"]
        if field.data is None and not field.raw_data and defaults.get(line.id) is not None:
            field.data = defaults[line.id]
    return form


class DeliveryForm(FlaskForm):
    delivered_on = DayField(
        _l("Tanggal pengiriman"),
        validators=[needed(_l("Isi tanggal pengiriman.")), not_in_future],
    )
    driver = StringField(
        _l("Nama pengantar (boleh dikosongkan)"), filters=[strip], validators=[length(120)]
    )
    vehicle = StringField(
        _l("Nomor kendaraan (boleh dikosongkan)"), filters=[strip], validators=[length(40)]
    )
    note = TextAreaField(
        _l("Catatan surat jalan (boleh dikosongkan)"),
        filters=[strip],
        validators=[Optional(), length(2000)],
    )
    quantity_fields: list[tuple[int, str]] = []

    def quantities(self) -> dict[int, int]:
        return {line_id: int(self[name].data or 0) for line_id, name in self.quantity_fields}


def delivery_form(lines: Sequence[tuple[Any, int]], **kwargs: Any) -> DeliveryForm:
    """``lines`` are (order line, how many may still be sent)."""
    fields = {
        f"qty_{line.id}": WholeNumberField(
            _l(
                "Jumlah %(name)s dikirim (sisa %(n)d %(unit)s)",
                name=line.name,
                n=room,
                unit=line.unit,
            ),
            validators=[Optional(), quantity_in_range(minimum=0)],
        )
        for line, room in lines
    }
    form_class = type("OrderDeliveryForm", (DeliveryForm,), fields)
    form: DeliveryForm = form_class(**kwargs)
    form.quantity_fields = [(line.id, f"qty_{line.id}") for line, _room in lines]
    return form


class InspectionForm(FlaskForm):
    inspected_on = DayField(
        _l("Tanggal pemeriksaan"),
        validators=[needed(_l("Isi tanggal pemeriksaan.")), not_in_future],
        description=_l("Hari barang diperiksa; dicetak pada BAST."),
    )
    note = TextAreaField(
        _l("Catatan pemeriksaan (boleh dikosongkan)"),
        filters=[strip],
        validators=[Optional(), length(2000)],
    )
    line_fields: list[tuple[int, str, str]] = []
    #: Per team row: the (member, name, NIP, role) field names.
    team_fields: list[tuple[str, str, str, str]] = []

    def accepted(self) -> dict[int, int]:
        return {line_id: int(self[name].data) for line_id, name, _note in self.line_fields}

    def notes(self) -> dict[int, str]:
        return {line_id: self[note].data or "" for line_id, _name, note in self.line_fields}

    def team(self) -> list[inspection.Inspector]:
        """The rows filled in, in order (an empty row is skipped)."""
        team = []
        for member, name, nip, role in self.team_fields:
            values = (self[member].data or "", self[name].data, self[nip].data, self[role].data)
            if not any(values):
                continue
            team.append(
                inspection.Inspector(
                    role=self[role].data or "",
                    user_id=int(values[0]) if values[0] else None,
                    name=self[name].data or "",
                    nip=self[nip].data or None,
                )
            )
        return team

    def details(self) -> inspection.Inspection:
        day: date | None = self.inspected_on.data
        assert day is not None  # required: a valid form has it
        return inspection.Inspection(day, self.team())


def _team_nip(form: Form, field: Field) -> None:
    try:
        clean_nip(field.data)
    except InvalidNip as error:
        raise ValidationError(error.message) from error


def inspection_form(
    lines: Sequence[Any],
    members: Sequence[inspection.TeamChoice] = (),
    receiver_id: int | None = None,
    **kwargs: Any,
) -> InspectionForm:
    """A field per delivery line: the quantity accepted and a note (needed for a rejection);
    the day of the inspection and a row per possible team member, the first one the receiver."""
    fields: dict[str, Any] = {}
    for line in lines:
        name = line.order_line.name
        fields[f"accepted_{line.id}"] = WholeNumberField(
            _l("%(name)s: jumlah diterima (dari %(n)d dikirim)", name=name, n=line.quantity),
            default=line.quantity,
            validators=[needed(_l("Isi jumlah yang diterima.")), quantity_in_range(minimum=0)],
        )
        fields[f"note_{line.id}"] = StringField(
            _l("%(name)s: catatan (wajib bila ada yang ditolak)", name=name),
            filters=[strip],
            validators=[length(500)],
        )
    choices = [SelectChoice("", _l("Tidak dipilih: ketik nama di bawah"))] + [
        SelectChoice(str(m.user_id), m.name) for m in members
    ]
    for row in range(1, inspection.MAX_TEAM + 1):
        first = row == 1
        fields[f"team_{row}_member"] = SelectField(
            _l("Anggota instansi"),
            choices=choices,
            validate_choice=False,
            validators=[one_of_the_choices(_l("Pilih salah satu dari daftar."))],
            default=str(receiver_id) if first and receiver_id else "",
        )
        fields[f"team_{row}_name"] = StringField(
            _l("Nama (bila tidak dipilih dari daftar)"),
            filters=[strip],
            validators=[length(inspection.NAME_LENGTH)],
        )
        fields[f"team_{row}_nip"] = StringField(
            _l("NIP (kosong: dari data anggota, atau titik-titik)"),
            filters=[strip],
            validators=[_team_nip],
        )
        fields[f"team_{row}_role"] = StringField(
            _l("Jabatan dalam tim, mis. Ketua PPHP, Anggota PPHP"),
            filters=[strip],
            validators=[length(inspection.ROLE_LENGTH)],
            default=inspection.RECEIVER_ROLE if first else "",
        )
    form_class = type("DeliveryInspectionForm", (InspectionForm,), fields)
    form: InspectionForm = form_class(**kwargs)
    if form.inspected_on.data is None and not form.is_submitted():
        form.inspected_on.data = today()
    form.line_fields = [(line.id, f"accepted_{line.id}", f"note_{line.id}") for line in lines]
    form.team_fields = [
        (f"team_{r}_member", f"team_{r}_name", f"team_{r}_nip", f"team_{r}_role")
        for r in range(1, inspection.MAX_TEAM + 1)
    ]
    return form


class PaymentForm(FlaskForm):
    method = RadioField(
        _l("Cara pembayaran"),
        choices=[SelectChoice(str(m), m.label) for m in PaymentMethod],
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih cara pembayaran."))],
        default=str(PaymentMethod.TRANSFER),
    )
    reference = StringField(
        _l("Nomor SP2D atau nomor transaksi kartu"),
        filters=[strip],
        validators=[needed(_l("Isi nomor SP2D atau nomor transaksi kartu.")), length(60)],
    )
    paid_on = DayField(
        _l("Tanggal pembayaran"),
        validators=[needed(_l("Isi tanggal pembayaran.")), not_in_future],
    )
    bukti_potong_number = StringField(
        _l("Nomor bukti potong PPh 22"),
        description=_l("Wajib bila PPh 22 dipotong."),
        filters=[strip],
        validators=[length(60)],
    )

    spp_number = StringField(
        _l("Nomor SPP"),
        description=_l("Untuk transfer (SP2D): Surat Permintaan Pembayaran. Boleh diisi nanti."),
        filters=[strip],
        validators=[length(60)],
    )
    spm_number = StringField(
        _l("Nomor SPM"),
        description=_l("Untuk transfer (SP2D): Surat Perintah Membayar. Boleh diisi nanti."),
        filters=[strip],
        validators=[length(60)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are built per request so their labels follow the reader's language.
        self.method.choices = [SelectChoice(str(m), m.label) for m in PaymentMethod]


def _code(label: Any, description: Any, digits_only: bool) -> StringField:
    keyboard = {"inputmode": "numeric"} if digits_only else {"autocapitalize": "characters"}
    return StringField(
        label,
        description=description,
        filters=[strip],
        validators=[length(40)],
        render_kw={**keyboard, "autocomplete": "off"},
    )


class TaxRecordsForm(FlaskForm):
    """The treasurer's SPP/SPM and the remittance of each tax withheld (the service checks the
    codes, the days and which taxes were withheld)."""

    spp_number = PaymentForm.spp_number
    spm_number = PaymentForm.spm_number
    ppn_billing_code = _code(_l("Kode billing PPN"), _l("15 angka."), True)
    ppn_ntpn = _code(_l("NTPN PPN"), _l("16 huruf dan angka."), False)
    ppn_remitted_on = DayField(_l("Tanggal setor PPN"))
    pph22_billing_code = _code(_l("Kode billing PPh 22"), _l("15 angka."), True)
    pph22_ntpn = _code(_l("NTPN PPh 22"), _l("16 huruf dan angka."), False)
    pph22_remitted_on = DayField(_l("Tanggal setor PPh 22"))


class FakturPajakForm(FlaskForm):
    """A PKP cooperative's faktur pajak for one invoice (the service checks the rest)."""

    faktur_pajak_number = StringField(
        _l("Nomor faktur pajak"),
        description=_l("16 atau 17 angka; titik dan tanda hubung boleh ditulis."),
        filters=[strip],
        validators=[needed(_l("Isi nomor faktur pajak.")), length(40)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    faktur_pajak_date = DayField(
        _l("Tanggal faktur pajak"),
        validators=[needed(_l("Isi tanggal faktur pajak.")), not_in_future],
    )

    def validate_faktur_pajak_number(self, field: Any) -> None:
        from marketplace.procurement.tax import faktur_pajak_digits

        if field.data and faktur_pajak_digits(field.data) is None:
            message = _l(
                "Nomor faktur pajak terdiri dari 16 atau 17 angka, misalnya 04002600000000123."
            )
            raise ValidationError(str(message))


class ListFilterForm(Form):
    """A procurement list's filters (a GET form: no CSRF token, nothing changes). A value the
    list cannot use is reported on its field and left out of the filter."""

    status = SelectField(_l("Status"), default="", validate_choice=False)
    cooperative = SelectField(_l("Koperasi"), default="", validate_choice=False)
    date_from = DayField(_l("Dari tanggal"), validators=[Optional()])
    date_to = DayField(_l("Sampai tanggal"), validators=[Optional()])

    def set_choices(
        self, statuses: Iterable[Any], cooperatives: Iterable[tuple[int, str]] | None
    ) -> None:
        self.status.choices = [SelectChoice("", _l("Semua status"))] + [
            SelectChoice(str(status), status.label) for status in statuses
        ]
        self.cooperative.choices = [SelectChoice("", _l("Semua koperasi"))] + [
            SelectChoice(str(cid), name) for cid, name in cooperatives or ()
        ]

    def validate_status(self, field: Field) -> None:
        if field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(str(_l("Status tidak dikenal; semua status ditampilkan.")))

    def validate_cooperative(self, field: Field) -> None:
        if field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(str(_l("Koperasi tidak dikenal; semua koperasi ditampilkan.")))

    def validate_date_to(self, field: Field) -> None:
        end_not_before_start(self, field)

"""Forms of the public catalogue pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField


class ShippingCostForm(Form):
    """ "Cek ongkir": a kecamatan picked from the region lists, sent by GET (it changes
    nothing, and its link can be shared)."""

    province = SelectField(_l("Provinsi"), validate_choice=False)
    regency = SelectField(_l("Kota/Kabupaten"), validate_choice=False)
    district = SelectField(_l("Kecamatan"), validate_choice=False)

"""The cooperative's own courier table: its fee by destination zone and weight band (owners
only). The table is the embedded provider of `marketplace.shipping`."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from marketplace.cooperatives.access import ACTIVE_COOPERATIVE_OWNER
from marketplace.http import Page, form_status
from marketplace.policy import allow
from marketplace.shipping import table
from marketplace.shipping.zones import Zone
from marketplace.vendors import bp
from marketplace.vendors.common import current_cooperative_id, current_membership
from marketplace.vendors.forms import CourierBandForm


def _page(form: CourierBandForm) -> Page:
    return render_template(
        "vendors/courier_rates.html",
        form=form,
        cooperative=current_membership().cooperative,
        table=table.zone_table(current_cooperative_id()),
    ), form_status(form)


@bp.route("/courier-rates")
@allow(ACTIVE_COOPERATIVE_OWNER)
def courier_rates() -> Page:
    return _page(CourierBandForm())


@bp.route("/courier-rates", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def set_courier_band() -> Page:
    form = CourierBandForm()
    if not form.validate_on_submit():
        return _page(form)
    zone = Zone(form.zone.data)
    table.set_band(
        current_cooperative_id(), zone, form.max_weight_grams.data or 0, form.fee.data or 0
    )
    flash(_("Tarif kurir %(zone)s sudah disimpan.", zone=zone.label), "success")
    return redirect(url_for("vendors.courier_rates"))


@bp.route("/courier-rates/<int:band_id>/remove", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def remove_courier_band(band_id: int) -> Page:
    table.remove_band(current_cooperative_id(), band_id)
    flash(_("Tarif kurir sudah dihapus."), "info")
    return redirect(url_for("vendors.courier_rates"))

"""The authorization matrix: who may use every route of the app, walked as everyone.

`MATRIX` declares, for every endpoint, its policy and whose objects its URL names. From that the
walk derives what each role must get: a guest is sent to log in (or refused, for a policy that
does not ask guests to log in), a role the policy does not admit gets 403, an admitted role gets
404 for another party's object (the very page it gets for an id that does not exist, so nothing
shows that the object does), and the party itself is let in (200, a redirect, or 400/409 when
the step does not fit the object's state).

Every rule of the URL map, with each of its methods, is requested as every role of `ROLES`, with
the ids of the shopper's, cooperative A's and agency A's real objects. Nothing a request that is
not allowed may change anything; an allowed POST runs inside a savepoint that is rolled back, so
the one world serves every role, and GETs are not rolled back at all (no GET changes state).

A route that is not in the matrix fails the walk: add it to `MATRIX` with its policy and owner.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from marketplace.policy import PUBLIC, allow
from marketplace.procurement import freezing
from marketplace.procurement.access import AGENCY_MEMBER
from tests.core.world import (
    AGENCY_ROLES,
    CARD_SESSION,
    ROLES,
    World,
    WriteLog,
    build_world,
    changed_tables,
    client_as,
    cookies_kept,
    fingerprint,
    undone,
)
from tests.payments.paying import image_bytes

# ------------------------------------------------------------------------------------------
# Who each policy admits (the test's own statement of it, checked against the app's predicates)
# ------------------------------------------------------------------------------------------

AGENCY_A = frozenset(f"{role}_a" for role in AGENCY_ROLES)
AGENCY_B = frozenset(f"{role}_b" for role in AGENCY_ROLES)
AGENCIES = AGENCY_A | AGENCY_B
COOPERATIVES = frozenset({"coop_a", "coop_b"})
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"guest"}

AUDIENCE: dict[str, frozenset[str]] = {
    "public": EVERYONE,
    "guest_only": EVERYONE,  # a signed-in visitor is sent on, not refused
    "signed_request": EVERYONE,  # the signature decides
    "signed_in": SIGNED_IN,
    "city_admin": frozenset({"admin"}),
    # The world's cooperative members are owners of approved cooperatives, so the four
    # cooperative policies admit the same roles here; staff and pending cooperatives are walked
    # in tests/vendors/test_isolation.py, and the declared policy is checked below.
    "cooperative_member": COOPERATIVES,
    "cooperative_owner": COOPERATIVES,
    "active_cooperative_member": COOPERATIVES,
    "active_cooperative_owner": COOPERATIVES,
    "agency_member": AGENCIES,
    **{
        f"agency_{role.value}": frozenset({f"{short}_a", f"{short}_b"})
        for short, role in AGENCY_ROLES.items()
    },
    "procurement_participant": AGENCIES | COOPERATIVES,
    "procurement_report_reader": AGENCIES | {"admin"},
}
#: Policies under which a guest is refused outright instead of being sent to log in.
NO_LOGIN = {"public", "guest_only", "signed_request"}

# ------------------------------------------------------------------------------------------
# Whose objects a route's URL names (None: no party's; every admitted role is let in)
# ------------------------------------------------------------------------------------------

SHOPPER = frozenset({"shopper"})
COOP_A = frozenset({"coop_a"})
PP_A = frozenset({"pp_a"})  # the notification is the pejabat pengadaan's own
PARTIES_A = AGENCY_A | COOP_A  # a procurement document: both sides of it
Owner = frozenset[str] | None

#: (policy, owner) -> endpoints. Every endpoint of the app appears exactly once.
MATRIX: dict[tuple[str, Owner], tuple[str, ...]] = {
    ("public", None): (
        "catalogue.home",
        "catalogue.products",
        "catalogue.category",
        "catalogue.product",
        "catalogue.shipping_cost",
        "catalogue.cooperatives",
        "catalogue.cooperative",
        "catalogue.robots",
        "catalogue.search_suggestions",
        "regions.search",
        "catalogue.sitemap",
        "api.cooperatives",
        "api.products",
        "api.openapi",
        "cart.show",
        "cart.add",
        "site.set_language",
        "site.terms",
        "site.privacy",
        "site.healthz",
        "site.readyz",
        "site.metrics",
        "site.media",
        "reviews.photo",  # a shown review's; a hidden one's is 404 but to its parties
        "site.web_manifest",
        "site.service_worker",
        "site.offline",
        "accounts.check_email",
        "accounts.forgot_password",
        "accounts.verify_email",  # the token is the credential
        "accounts.reset_password",  # the token is the credential
        "verify.document",  # a frozen document's verification page: the token is its key
    ),
    ("public", SHOPPER): ("cart.update_line", "cart.remove_line"),
    ("guest_only", None): ("accounts.login", "accounts.register"),
    ("signed_request", None): ("payments.stripe_webhook", "payments.xendit_callback"),
    ("signed_in", None): (
        "accounts.profile",
        "accounts.change_password",
        "accounts.new_address",
        "accounts.privacy",
        "accounts.export_data",
        "accounts.delete_account",
        "accounts.resend_verification",
        "accounts.logout",
        "accounts.sign_out_everywhere",
        "notifications.index",
        "notifications.read_all",
        "notifications.settings",
        "orders.checkout",
        "orders.review",
        "orders.place",
        "orders.index",
        "reviews.report_review",
        "messages.product_question",
        "messages.ask",  # cooperative A asking of its own product: 400
        "messages.question_read",
        "vendors.apply",
        "invitations.join",  # an invitation for someone else: 400
        "agency_invitations.join",  # likewise
    ),
    ("signed_in", PP_A): ("notifications.open_notification",),
    ("signed_in", SHOPPER): (
        "accounts.edit_address",
        "accounts.delete_address",
        "orders.detail",
        "orders.receipt",
        "orders.cancel_part",
        "orders.confirm_receipt",  # a part not handed over: told so, nothing changes
        "payments.pay",
        "payments.start_card",
        "payments.card_return",
        "payments.upload_proof",
        "payments.shopper_proof",
        "payments.online",
        "payments.online_status",
        "payments.online_choose",  # not an online order, or online payment off: 400/409
        "payments.online_simulate",  # not simulating: 409
        "payments.refund_account",  # a refund not waiting for an account: refused, 302
        "reviews.order_reviews",
        "reviews.write_review",
        "reviews.delete_review",
        "messages.thread",
        "messages.post",
        "messages.mark_read",
        "complaints.new",  # the part has its complaint: sent on to it
        "complaints.detail",
        "complaints.ship_return",  # not asked to send goods back: 409
        "complaints.escalate",
        "complaints.close",
        "complaints.confirm_refund",
        "complaints.photo",
        "complaints.refund_proof",
    ),
    # A message's photo: the thread's two sides and the city.
    ("signed_in", SHOPPER | COOP_A | {"admin"}): ("messages.photo",),
    ("city_admin", None): (
        "admin.dashboard",
        "admin.export_table",
        "admin.audit_log",
        "admin.certificates",
        "admin.cooperatives_index",
        "admin.cooperative",
        "admin.decide_cooperative",
        "admin.set_pilot",
        "admin.users",
        "admin.user",
        "admin.disable_user",
        "admin.enable_user",
        "admin.send_password_reset",
        "admin.categories_index",
        "admin.create_category",
        "admin.edit_category",
        "admin.merge_category",
        "admin.move_category",
        "admin.moderation_queue",
        "admin.moderation_setting",
        "admin.complaints",
        "admin.complaint",
        "admin.decide_complaint",  # not escalated: 409
        "admin.complaint_photo",
        "admin.complaint_refund_proof",
        "admin.reviews",
        "admin.review_moderation_setting",
        "admin.hide_review",
        "admin.show_review",
        "admin.search_synonyms",
        "admin.products",
        "admin.product",
        "admin.approve_product",
        "admin.refuse_product",
        "admin.hide_product",
        "admin.unhide_product",
        "admin.agencies_index",
        "admin.create_agency",
        "admin.agency",
        "admin.edit_agency",
        "admin.add_agency_member",
        "admin.set_agency_member_nip",
        "admin.remove_agency_member",
        "admin.revoke_agency_invitation",
        "admin.operations",
        "admin.retry_failed_job",
        "admin.discard_failed_job",
        "admin.resend_email",
        "payments.desk",
        "payments.find_order",
        "payments.admin_order",
        "payments.admin_cancel_part",
        "payments.admin_transfer",
        "payments.admin_proof",
        "payments.admin_confirm",
        "payments.admin_reject",
        "payments.flag",
        "payments.refund",
        "payments.retry_refund",
        "payments.new_payout",
        "payments.reconciliation_desk",
        "payments.resolve_difference",
        "payments.admin_statement",
        "payments.admin_statement_csv",
        "payments.payouts_page",
        "payments.pay_through_gateway",
        "payments.approve_payout",
        "payments.cancel_payout",
        "payments.retry_payout",
        "payments.pending_payouts_csv",
        "payments.payout_schedule_setting",
        "procurement.budgets",
    ),
    ("cooperative_member", None): (
        "vendors.dashboard",
        "vendors.status",
        "procurement.coop_quotations",
        "procurement.coop_orders",
        "procurement.coop_payments",
    ),
    ("cooperative_member", COOP_A): (
        "procurement.coop_quotation",
        "procurement.coop_offer",
        "procurement.coop_accept_counter",
        "procurement.coop_decline",
        "procurement.coop_order",
        "procurement.coop_accept_order",
        "procurement.coop_decline_order",
        "procurement.coop_record_delivery",
        "procurement.coop_withdraw_delivery",
        "procurement.coop_issue_invoice",
        "procurement.coop_record_faktur_pajak",
        "procurement.coop_cancel_invoice",
    ),
    ("cooperative_owner", None): ("vendors.edit_application",),
    ("active_cooperative_owner", None): (
        "vendors.profile",
        "vendors.bank_account",
        "vendors.members",
        "vendors.invite",
        "vendors.courier_rates",
        "vendors.set_courier_band",
    ),
    ("active_cooperative_owner", COOP_A): (
        "vendors.remove_member",
        "vendors.revoke_invitation",
        "vendors.remove_courier_band",
    ),
    ("active_cooperative_member", None): (
        "vendors.products",
        "vendors.new_product",
        "vendors.stock_overview",
        "vendors.imports",
        "vendors.upload_import",
        "vendors.export",
        "vendors.template",
        "vendors.order_list",
        "vendors.complaints",
        "vendors.reviews",
        "vendors.inbox",
        "vendors.sales_report",
        "vendors.sales_export",
        "payments.vendor_transfers",
        "payments.vendor_statement",
        "payments.vendor_statement_csv",
    ),
    ("active_cooperative_member", COOP_A): (
        "vendors.edit_product",
        "vendors.change_publication",
        "vendors.upload_image",
        "vendors.cover_image",
        "vendors.delete_image",
        "vendors.new_variant",
        "vendors.edit_variant",
        "vendors.set_variant_active",
        "vendors.variant_stock",
        "vendors.import_job",
        "vendors.import_progress",
        "vendors.confirm_import",
        "vendors.order",
        "vendors.packing_slip",
        "vendors.shipping_label",
        "vendors.accept_order",
        "vendors.reject_order",
        "vendors.ready_order",
        "vendors.ship_order",
        "vendors.deliver_order",
        "vendors.answer_review",
        "vendors.complaint",
        "vendors.answer_complaint",  # answered already: 409
        "vendors.complaint_goods_received",
        "vendors.complaint_refund_proof",
        "vendors.escalate_complaint",
        "vendors.complaint_photo",
        "vendors.complaint_refund_proof_file",
        "vendors.order_messages",
        "vendors.post_message",
        "vendors.mark_messages_read",
        "vendors.product_question",
        "vendors.answer_question",
        "vendors.question_read",
        "payments.vendor_transfer",
        "payments.vendor_proof",
        "payments.vendor_confirm",
        "payments.vendor_reject",
    ),
    ("procurement_participant", None): ("procurement.index",),
    # The drafts to send: a section of the pejabat pengadaan's worklist only.
    ("procurement_participant", frozenset({"pp_a", "pp_b"})): ("procurement.worklist_section",),
    ("procurement_participant", PARTIES_A): (
        "procurement.document",
        "procurement.document_pdf",
        "procurement.document_version",
        "procurement.upload_signed_scan",
        "procurement.signed_scan",
    ),
    ("procurement_report_reader", None): (
        "procurement.report",
        "procurement.report_csv",
        "procurement.report_xlsx",
        "procurement.package_export",
    ),
    ("agency_member", None): (
        "procurement.request_list",
        "procurement.order_list",
        "procurement.budget_lines_page",
    ),
    ("agency_member", AGENCY_A): (
        "procurement.budget_line",
        "procurement.request_detail",
        "procurement.quotation",
        "procurement.order",
        "procurement.invoice",
    ),
    ("agency_pejabat_pengadaan", None): ("procurement.new_request",),
    ("agency_pejabat_pengadaan", AGENCY_A): (
        "procurement.edit_request",
        "procurement.add_catalogue_line",
        "procurement.add_specification_line",
        "procurement.set_line_quantity",
        "procurement.set_line_hps",
        "procurement.remove_line",
        "procurement.send_request",
        "procurement.cancel_request",
        "procurement.copy_request",
        "procurement.counter",
        "procurement.agree",
        "procurement.forward",
    ),
    # The form offers the PPK's own agencies only: another's id is refused (400), not found.
    ("agency_ppk", None): ("procurement.create_budget_line",),
    ("agency_ppk", AGENCY_A): (
        "procurement.revise_budget_line",
        "procurement.return_quotation",
        "procurement.approve",
        "procurement.cancel_order",
        "procurement.end_order",
    ),
    ("agency_penerima", AGENCY_A): ("procurement.inspect",),
    ("agency_bendahara", AGENCY_A): (
        "procurement.pay_invoice",
        "procurement.reverse_invoice_payment",
        "procurement.record_tax_records",
        "procurement.tax_recap",
        "procurement.tax_recap_xlsx",
    ),
}

#: Served by Flask itself, outside the policy registry (tests/core/test_policies.py).
UNWALKED = {"static"}
WALKED_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
#: GETs that legitimately record something, and the only table they may write to: none (the
#: download of one's personal data, which is audited, is a POST).
#: (Pages that find a step overdue apply it before they show it: an unpaid order expires. That
#: is the scheduler's change made early, not the reader's; the world has nothing overdue, so here
#: no GET writes for that reason. Procurement's pages compute a lapse and never write it.)
RECORDING_GETS: dict[str, str] = {}
#: What "let in" looks like: the page, a redirect onwards, or a refusal of the step itself.
ALLOWED = {200, 302, 303, 400, 409}
#: Routes let in by the policy that then refuse a request on a check of their own, and how:
#: Xendit's callback without Xendit's token is 403 (the walk cannot send the token). Not a
#: refusal but the same shape: a guest who confirms their email is sent on to sign in, to the
#: page they came for (the walk's form carries next=/).
OWN_REFUSALS = {"payments.xendit_callback": 403, "accounts.verify_email": 302}


@dataclass(frozen=True)
class Entry:
    policy: str
    owner: Owner


def entries() -> dict[str, Entry]:
    flat: dict[str, Entry] = {}
    for (policy, owner), endpoints in MATRIX.items():
        for endpoint in endpoints:
            assert endpoint not in flat, f"{endpoint} is twice in the matrix"
            flat[endpoint] = Entry(policy, owner)
    return flat


def expected(entry: Entry, role: str) -> str:
    """'login', '403', '404' or 'allowed'."""
    if role not in AUDIENCE[entry.policy]:
        return "login" if role == "guest" and entry.policy not in NO_LOGIN else "403"
    if entry.owner is not None and role not in entry.owner:
        return "404"
    return "allowed"


# ------------------------------------------------------------------------------------------
# The URLs: every path parameter names a real object of the world
# ------------------------------------------------------------------------------------------

Value = Callable[[World], Any]


def id_of(name: str) -> Value:
    return lambda w: w.objects[name].id


PARAMS: dict[str, Value] = {
    "address_id": id_of("address"),
    "number": lambda w: w.order.number,
    "part_id": lambda w: w.order.vendor_orders[0].id,
    "payment_id": lambda w: w.transfer.id,
    "refund_id": lambda w: w.refund.id,
    "payout_id": id_of("payout"),
    "review_id": id_of("review"),
    "review_photo_id": id_of("review_photo"),
    "photo_id": id_of("message_photo"),
    "thread_id": id_of("product_thread"),
    "complaint_id": id_of("complaint"),
    "request_id": id_of("draft"),
    "quotation_id": id_of("quotation"),
    "order_id": id_of("purchase_order"),
    "delivery_id": id_of("waiting"),
    "bast_id": id_of("bast"),
    "invoice_id": id_of("invoice"),
    "notification_id": id_of("notification"),
    "cooperative_id": lambda w: w.cooperative_a.id,
    "user_id": id_of("other_user"),
    "category_id": id_of("category"),
    "product_id": id_of("product"),
    "agency_id": id_of("agency"),
    "budget_line_id": id_of("budget_line"),
    "variant_id": id_of("variant"),
    "image_id": id_of("image"),
    "job_id": id_of("job"),
    "vendor_order_id": id_of("vendor_order"),
    "failed_job_id": id_of("failed_job"),
    "difference_id": id_of("difference"),
    "email_id": id_of("failed_email"),
    "table": lambda w: "agency",
    "fmt": lambda w: "csv",
    "action": lambda w: "approve",
}
#: Parameters whose meaning depends on the route.
ENDPOINT_PARAMS: dict[str, dict[str, Value]] = {
    # A complaint's photo (the messages' photos are the default `photo_id`); the shopper's
    # route is below, with the other complaint routes.
    "vendors.complaint_photo": {"photo_id": id_of("complaint_photo")},
    "admin.complaint_photo": {"photo_id": id_of("complaint_photo")},
    "accounts.verify_email": {"token": lambda w: w.tokens["verify"]},
    "accounts.reset_password": {"token": lambda w: w.tokens["reset"]},
    "invitations.join": {"token": lambda w: w.tokens["invitation"]},
    "agency_invitations.join": {"token": lambda w: w.tokens["agency_invitation"]},
    "cart.update_line": {"line_id": id_of("cart_line")},
    "cart.remove_line": {"line_id": id_of("cart_line")},
    "procurement.set_line_quantity": {"line_id": lambda w: w.objects["draft"].lines[0].id},
    "procurement.remove_line": {"line_id": lambda w: w.objects["draft"].lines[0].id},
    "procurement.set_line_hps": {"line_id": lambda w: w.objects["draft"].lines[0].id},
    "catalogue.category": {"slug": lambda w: w.objects["product"].category.slug},
    "catalogue.product": {"slug": lambda w: w.objects["product"].slug},
    "catalogue.shipping_cost": {"slug": lambda w: w.objects["product"].slug},
    "messages.product_question": {"slug": lambda w: w.objects["product"].slug},
    "messages.ask": {"slug": lambda w: w.objects["product"].slug},
    "messages.question_read": {"slug": lambda w: w.objects["product"].slug},
    "catalogue.cooperative": {"slug": lambda w: w.cooperative_a.slug},
    # Not the listing's photo: deleting that (allowed to cooperative A) removes its file.
    "site.media": {"key": lambda w: w.tokens["media"]},
    "admin.export_table": {"key": lambda w: "cooperatives"},
    "procurement.worklist_section": {"side": lambda w: "agency", "key": lambda w: "to_send"},
    "vendors.shipping_label": {"vendor_order_id": id_of("labelled_part")},
    "procurement.signed_scan": {"scan_id": id_of("signed_scan")},
    "payments.refund_account": {"number": lambda w: w.refund.order.number},
    "admin.set_agency_member_nip": {"member_id": id_of("agency_member")},
    "admin.remove_agency_member": {"member_id": id_of("agency_member")},
    "admin.revoke_agency_invitation": {"invitation_id": id_of("agency_invitation")},
    "vendors.remove_member": {"member_id": id_of("staff")},
    "vendors.revoke_invitation": {"invitation_id": id_of("invitation")},
    "vendors.remove_courier_band": {"band_id": id_of("courier_band")},
    **{
        f"complaints.{name}": {
            "number": lambda w: w.objects["reviewed_order"].number,
            "part_id": lambda w: w.objects["reviewed_order"].vendor_orders[0].id,
            **({"photo_id": id_of("complaint_photo")} if name == "photo" else {}),
        }
        for name in (
            "new",
            "detail",
            "ship_return",
            "escalate",
            "close",
            "confirm_refund",
            "photo",
            "refund_proof",
        )
    },
    "reviews.write_review": {
        "number": lambda w: w.objects["reviewed_order"].number,
        "line_id": lambda w: w.objects["reviewed_order"].vendor_orders[0].lines[0].id,
    },
}
ENDPOINT_PARAMS["procurement.document_version"] = {
    "kind": lambda w: "order",
    "object_id": lambda w: w.objects["purchase_order"].id,
    "version": lambda w: 1,
}
ENDPOINT_PARAMS["verify.document"] = {
    "token": lambda w: freezing.versions("order", w.objects["purchase_order"].id)[0].token
}
#: Routes walked once per kind of object they serve.
VARIANTS: dict[str, Callable[[World], list[dict[str, Any]]]] = {
    "procurement.document": lambda w: _documents(w),
    "procurement.document_pdf": lambda w: _documents(w)[:1],  # one PDF: WeasyPrint is slow
}


def _documents(w: World) -> list[dict[str, Any]]:
    quotation = w.objects["quotation"]
    return [
        {"kind": "order", "object_id": w.objects["purchase_order"].id},
        {"kind": "request", "object_id": quotation.request_id},
        {"kind": "quotation", "object_id": quotation.id},
        {"kind": "round", "object_id": quotation.rounds[0].id},
        {"kind": "delivery", "object_id": w.objects["inspected"].id},
        {"kind": "bast", "object_id": w.objects["bast"].id},
        {"kind": "invoice", "object_id": w.objects["invoice"].id},
    ]


#: Query strings some routes need to name their object.
QUERIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "payments.card_return": lambda w: {"session_id": CARD_SESSION},
    "payments.upload_proof": lambda w: {"part": w.order.vendor_orders[0].id},
}


#: What the URLs name instead when they must name nothing at all.
MISSING_ID = 987_654
MISSING_NUMBER = "OPOP-2099-999999"


def urls(rule: Rule, world: World, *, missing: bool = False) -> list[str]:
    """The rule's URLs naming the world's objects, or (``missing``) ids that do not exist."""
    variants = VARIANTS.get(rule.endpoint, lambda w: [{}])(world)
    built_urls = []
    for preset in variants:
        values = dict(preset)
        for name in rule.arguments - set(values):
            value = ENDPOINT_PARAMS.get(rule.endpoint, {}).get(name) or PARAMS.get(name)
            if value is None:
                pytest.fail(
                    f"{rule.rule}: map the path parameter {name!r} of {rule.endpoint} to an "
                    "object of the world in test_authorization_matrix.py"
                )
            values[name] = value(world)
        if missing:
            values = {
                name: MISSING_ID
                if isinstance(v, int)
                else MISSING_NUMBER
                if name == "number"
                else v
                for name, v in values.items()
            }
        query = QUERIES.get(rule.endpoint, lambda w: {})(world)
        built = rule.build({**values, **query})  # unknown values become the query string
        assert built is not None
        built_urls.append(built[1])
    return built_urls


def form_data(world: World) -> dict[str, Any]:
    """Valid answers to the app's forms, so that only the policy or the owner check can stop a
    change (the fields of each form pick theirs; the rest are ignored)."""
    draft = world.objects["draft"]
    purchase_order = world.objects["purchase_order"]
    waiting = world.objects["waiting"]
    quotation = world.objects["quotation"]
    data: dict[str, Any] = {
        # shopper, accounts
        "reason": "Alasan uji matriks akses.",
        "full_name": "Nama Uji",
        "email": "matriks@example.test",
        "password": "rahasia-sekali-baru",
        "current_password": "password123",
        "new_password": "rahasia-sekali-baru",
        "confirm": "rahasia-sekali-baru",
        "recipient_name": "Penerima Uji",
        "phone": "081234567890",
        "street": "Jl. Uji 1",
        "kelurahan": "Miji",
        "kecamatan": "Kranggan",
        "city": "Kota Mojokerto",
        "province": "Jawa Timur",
        "postal_code": "61321",
        "lang": "en",
        "next": "/",
        "proof": (io.BytesIO(image_bytes()), "bukti.png"),
        # cooperative workspace
        "name": "Nama Uji Matriks",
        "name_en": "Matrix Test",
        "description": "Deskripsi uji.",
        "unit": "pak",
        "weight_grams": "100",
        "min_order_qty": "1",
        "sku": "MATRIKS-1",
        "price": "12000",
        "initial_stock": "3",
        "low_stock_threshold": "2",
        "kind": "correction",
        "active": "0",
        "alt_text": "foto",
        "photo": (io.BytesIO(image_bytes()), "foto.png"),
        "file": (io.BytesIO(b"sku,nama_produk,kategori,satuan,harga,stok\n"), "impor.csv"),
        "courier": "other",
        "courier_name": "Kurir Uji",
        "body": "Pesan uji matriks akses.",
        "tracking_number": "UJI123",
        "category_id": str(world.objects["category"].id),
        # the city
        "is_pilot": "y",
        "parent_id": "0",
        "target_id": str(world.objects["other_category"].id),
        "direction": "down",
        "enabled": "y",
        "role": "ppk",
        "address": "Jl. Uji",
        "note": "Sudah diperiksa.",
        "bank_reference": "TRF-UJI-1",
        "cooperative_id": str(world.cooperative_a.id),
        "amount": "1000",
        "paid_on": "2026-11-02",
        # procurement
        "quantity": "5",
        "variant_id": str(world.objects["variant"].id),
        "specification": "Spesifikasi uji",
        "message": "Pesan uji",
        "delivery_date": "2030-01-31",
        "delivered_on": "2026-11-02",
        "driver": "Pak Sopir",
        "vehicle": "S 1 AB",
        "method": "transfer",
        "reference": "SP2D-UJI",
        "splitting_reason": "",
        "year": "2026",
        "goods_budget": "1000000",
        "agency_id": str(world.objects["agency"].id),
    }
    for line in draft.lines:
        data[f"price_{line.id}"] = "9000"
    for line in quotation.request.lines:
        data[f"price_{line.id}"] = "9000"
    for line in purchase_order.lines:
        data[f"qty_{line.id}"] = "1"
    for line in waiting.lines:
        data[f"accepted_{line.id}"] = "1"
        data[f"note_{line.id}"] = ""
    return data


def walked_rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in UNWALKED:
            continue
        for method in sorted((rule.methods or set()) & WALKED_METHODS):
            yield rule, method


# ------------------------------------------------------------------------------------------
# The tests
# ------------------------------------------------------------------------------------------


def matrix_problems(app: Flask) -> list[str]:
    """Routes missing from the matrix, entries for routes that are gone, and routes whose
    declared policy is not the matrix's."""
    matrix = entries()
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - UNWALKED
    problems = [
        f"add {endpoint} to the matrix in tests/core/test_authorization_matrix.py "
        "(its policy and whose objects its URL names)"
        for endpoint in sorted(endpoints - set(matrix))
    ]
    problems += [
        f"{endpoint} is in the matrix but no longer a route"
        for endpoint in sorted(set(matrix) - endpoints)
    ]
    for endpoint in sorted(endpoints & set(matrix)):
        declared = getattr(app.view_functions[endpoint], "_route_policy", None)
        name = declared.name if declared else None
        if name != matrix[endpoint].policy:
            problems.append(
                f"{endpoint}: declares {name}, the matrix says {matrix[endpoint].policy}"
            )
    return problems


def test_the_matrix_names_every_route_with_its_declared_policy(app: Flask) -> None:
    problems = matrix_problems(app)
    assert not problems, "\n".join(problems)
    assert set(AUDIENCE) >= {entry.policy for entry in entries().values()}


def test_a_new_route_or_a_changed_policy_fails_the_matrix(app: Flask) -> None:
    # A separate app, so the shared one keeps its URL map intact.
    from tests.conftest import make_test_app

    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"])
    other.add_url_rule("/forgotten", "forgotten", allow(PUBLIC)(lambda: "new"))
    other.view_functions["procurement.approve"] = allow(AGENCY_MEMBER)(lambda: "too open")
    assert matrix_problems(other) == [
        "add forgotten to the matrix in tests/core/test_authorization_matrix.py "
        "(its policy and whose objects its URL names)",
        "procurement.approve: declares agency_member, the matrix says agency_ppk",
    ]


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def configure(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch on what testing leaves off, so those routes answer by their policy rather than
    404 to everyone: metrics, and card payments (against an address that refuses connections,
    so a call to Stripe fails at once; no walked request should make one)."""
    monkeypatch.setitem(app.config, "METRICS_ENABLED", True)
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_matrix")
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_matrix")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "whsec_matrix")
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")


def request_as(client: FlaskClient, method: str, url: str, data: dict[str, Any], undo: bool) -> Any:
    """The request, with fresh copies of the files; inside a savepoint rolled back afterwards
    when ``undo`` (an allowed change)."""
    fresh = {
        key: (io.BytesIO(value[0].getvalue()), value[1]) if isinstance(value, tuple) else value
        for key, value in data.items()
    }
    if method == "GET":
        fresh = {}
    if undo:
        with undone(), cookies_kept(client):
            return client.open(url, method=method, data=fresh)
    return client.open(url, method=method, data=fresh)


def unexpected_writes(endpoint: str, method: str, allowed: bool, writes: list[str]) -> list[str]:
    if allowed and method != "GET":
        return []
    if allowed and endpoint in RECORDING_GETS:
        table = RECORDING_GETS[endpoint]
        return [w for w in writes if not w.startswith(f"INSERT INTO {table} ")]
    return writes


FLASHES = re.compile(r'<div class="flashes".*?</div>\s*</div>', re.S)
TOKENS = re.compile(r'name="csrf_token" value="[^"]*"')


def page_of(response: Any, url: str) -> tuple[int, str]:
    """The status and body, without what differs for reasons of its own: the page's own address
    (the language switch returns to it), a message flashed earlier and the CSRF token (signed
    with the time)."""
    body = TOKENS.sub("", FLASHES.sub("", response.get_data(as_text=True)))
    return response.status_code, body.replace(html.escape(url), "").replace(url, "")


def verdict(outcome: str, response: Any) -> bool:
    status: int = response.status_code
    sent_to_log_in = "/account/login?next=" in response.headers.get("Location", "")
    if outcome == "login":
        return status == 302 and sent_to_log_in
    if outcome in ("403", "404"):
        return status == int(outcome)
    return status in ALLOWED and not sent_to_log_in


#: The roles walked by one test, over one world (building it costs more than a role's walk).
GROUPS = {
    "people": ("guest", "shopper", "other_shopper", "admin"),
    "cooperatives": ("coop_a", "coop_b"),
    "agency_a": tuple(sorted(AGENCY_A)),
    "agency_b": tuple(sorted(AGENCY_B)),
}


def test_the_groups_walk_every_role() -> None:
    walked = [role for roles in GROUPS.values() for role in roles]
    assert sorted(walked) == sorted(ROLES)


@pytest.mark.parametrize("group", GROUPS)
def test_every_route_as_everyone(
    app: Flask, world: World, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(app, monkeypatch)
    problems = []
    for role in GROUPS[group]:
        problems.extend(walk(app, world, role))
    assert not problems, "\n".join(problems)


def walk(app: Flask, world: World, role: str) -> list[str]:
    """Every rule and method as ``role``: what went other than the matrix says, and what
    changed that should not have."""
    matrix = entries()
    client = client_as(app, world, role)
    data = form_data(world)
    failures: list[str] = []
    checked = 0
    log = WriteLog()
    before = fingerprint()
    with log.attached():
        for rule, method in walked_rules(app):
            entry = matrix.get(rule.endpoint)
            if entry is None:
                pytest.fail(f"add {rule.endpoint} to the matrix in test_authorization_matrix.py")
            outcome = expected(entry, role)
            missing_urls = urls(rule, world, missing=True) if outcome == "404" else []
            for index, url in enumerate(urls(rule, world)):
                allowed = outcome == "allowed"
                undo = allowed and (method != "GET" or rule.endpoint in RECORDING_GETS)
                response = request_as(client, method, url, data, undo)
                checked += 1
                writes = unexpected_writes(rule.endpoint, method, allowed, log.take())
                own_refusal = OWN_REFUSALS.get(rule.endpoint) == response.status_code
                if not verdict(outcome, response) and not (allowed and own_refusal):
                    failures.append(
                        f"{role}: {method} {url} ({rule.endpoint}, {entry.policy}): expected "
                        f"{outcome}, got {response.status_code} "
                        f"{response.headers.get('Location', '')}"
                    )
                if writes:
                    failures.append(f"{role}: {method} {url} ({rule.endpoint}) wrote {writes[:3]}")
                if missing_urls:
                    # Another party's object must look exactly like one that does not exist.
                    nothing = request_as(client, method, missing_urls[index], data, undo=False)
                    if page_of(nothing, missing_urls[index]) != page_of(response, url):
                        failures.append(
                            f"{role}: {method} {url} ({rule.endpoint}) answers differently from "
                            f"{missing_urls[index]}: the object's existence shows"
                        )
                    log.take()
    after = fingerprint()
    if before != after:
        failures.append(f"{role}: the walk changed {changed_tables(before, after)}")
    assert checked > 200, f"{role}: only {checked} requests"
    return failures

"""Officials' NIP on the documents (issue 23): each signature block of an agency official prints
the name, the NIP (grouped as it is written) and the role; an official without a recorded NIP gets
the dotted line to fill by hand; the cooperative's signer has no NIP. Read from the PDFs."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.procurement import payment
from marketplace.procurement.common import today
from marketplace.procurement.models import AgencyMember, Invoice, ProcurementRole
from tests.conftest import login
from tests.procurement import workflow as wf
from tests.procurement.test_documents import pdf_text

PP_NIP = "197501152000031002"
PPK_NIP = "198001012005011001"
RECEIVER_NIP = "199002022015022003"
DOTTED = "NIP. .............................."


def printed(nip: str) -> str:
    return f"NIP. {nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


@pytest.fixture
def documents(app: Flask, clock: ModuleType) -> dict[str, int]:
    """A procurement up to its paid invoice; the treasurer has no NIP recorded."""
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
        for role, nip in (
            (ProcurementRole.PEJABAT_PENGADAAN, PP_NIP),
            (ProcurementRole.PPK, PPK_NIP),
            (ProcurementRole.PENERIMA, RECEIVER_NIP),
        ):
            member = db.session.scalar(
                select(AgencyMember).where(
                    AgencyMember.agency_id == c.agency.id, AgencyMember.role == role
                )
            )
            assert member is not None
            member.nip = nip
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        delivery = wf.deliver(c, order, 100)
        bast = wf.inspect(c, delivery, 100)
        invoice = wf.invoice_for(c, bast)
        db.session.commit()
        return {
            "request": order.request_id,
            "quotation": order.quotation_id,
            "order": order.id,
            "delivery": delivery.id,
            "bast": bast.id,
            "invoice": invoice.id,
        }


def pdf(client: FlaskClient, kind: str, object_id: int) -> str:
    response = client.get(f"/procurement/documents/{kind}/{object_id}.pdf")
    assert response.status_code == 200
    return pdf_text(response.data)


# Each document's officials' NIP lines, in order, and the names they sign under.
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "request": ([printed(PP_NIP)], ["Pak pejabat_pengadaan", "Pejabat Pengadaan"]),
    "quotation": ([], ["Bu Koperasi"]),
    "order": ([printed(PPK_NIP)], ["Pak ppk", "Pejabat Pembuat Komitmen"]),
    "delivery": ([DOTTED], ["Penerima"]),
    "bast": (
        [printed(RECEIVER_NIP), printed(PPK_NIP)],
        ["Pak penerima", "Pemeriksa/Penerima Barang", "Pak ppk", "Mengetahui, PPK"],
    ),
    "invoice": ([DOTTED], ["Pak bendahara", "Bendahara Pengeluaran"]),
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_documents_signature_blocks_print_the_officials_nip(
    app: Flask, client: FlaskClient, documents: dict[str, Any], kind: str
) -> None:
    login(client, "pejabat_pengadaan@agency.test")
    text = pdf(client, kind, documents[kind])
    nips, names = EXPECTED[kind]
    for expected in names:
        assert expected in text, (kind, expected)
    found = [line.strip() for line in text.splitlines() if "NIP." in line]
    # Signature blocks may sit side by side: each NIP line is in the text, and there are exactly
    # as many as the officials signing (the cooperative's signer never has one).
    assert sum(line.count("NIP.") for line in found) == len(nips), (kind, found)
    for nip in nips:
        assert nip in text, (kind, nip, found)


def test_a_nip_recorded_later_is_printed_on_the_next_version_never_on_the_issued_one(
    app: Flask, client: FlaskClient, documents: dict[str, Any]
) -> None:
    """An issued document is frozen (docs/procurement.md): the invoice issued before the
    treasurer's NIP was recorded keeps its dotted line; the version its payment issues prints
    the NIP."""
    login(client, "bendahara@agency.test")
    assert DOTTED in pdf(client, "invoice", documents["invoice"])
    treasurer = db.session.scalar(
        select(AgencyMember).where(AgencyMember.role == ProcurementRole.BENDAHARA)
    )
    assert treasurer is not None
    treasurer.nip = "198512312010011004"
    db.session.commit()
    assert DOTTED in pdf(client, "invoice", documents["invoice"])
    with app.test_request_context():
        invoice = db.session.get(Invoice, documents["invoice"])
        assert invoice is not None
        payment.record_payment(
            treasurer.user,
            invoice.id,
            payment.PaymentDetails("transfer", "SP2D-0001/2026", today(), "BP-22-0001"),
        )
        db.session.commit()
    text = pdf(client, "invoice", documents["invoice"])
    assert printed("198512312010011004") in text and DOTTED not in text
    first = client.get(f"/procurement/documents/invoice/{documents['invoice']}/v1.pdf")
    assert DOTTED in pdf_text(first.data)

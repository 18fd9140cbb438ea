"""The demo's government buyers: two agencies with their officers, and one procurement in each
state of the Surat Pesanan, each staged through the real services on the clock of its day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import g
from sqlalchemy import delete, func, select, update

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.accounts.services import find_user_by_email
from marketplace.catalogue.models import (
    Product,
)
from marketplace.demo.people import demo_user, owner_of
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.procurement.models import (
    Agency,
    AgencyMember,
    BudgetLine,
    BudgetRevision,
    ProcurementRole,
)
from marketplace.urls import site_request_context

AGENCIES = (
    (
        "bagian-umum-setda",
        "Bagian Umum Sekretariat Daerah Kota Mojokerto",
        "Jl. Gajah Mada No. 145, Kota Mojokerto",
        "001234567602000",
    ),
    (
        "dinas-pendidikan",
        "Dinas Pendidikan dan Kebudayaan Kota Mojokerto",
        "Jl. Pemuda No. 28, Kota Mojokerto",
        "001234568602000",
    ),
)

#: (email, full name, roles in the first agency)
AGENCY_ACCOUNTS = (
    ("pengadaan@demo.test", "Siti Rahmawati", (ProcurementRole.PEJABAT_PENGADAAN,)),
    ("ppk@demo.test", "Bambang Sutrisno", (ProcurementRole.PPK,)),
    ("penerima@demo.test", "Dewi Lestari", (ProcurementRole.PENERIMA,)),
    ("bendahara@demo.test", "Agus Prasetyo", (ProcurementRole.BENDAHARA,)),
)


#: The agencies' budget lines (rekening belanja of their DPA), entered for the year of every
#: demo procurement: (agency slug, account code, account name, sub-activity code, sub-activity
#: name, amount). The codes have Permendagri 90's shape; like the rest of the demo they are
#: illustrative, not the city's DPA.
MEALS, CLEANING, SOUVENIRS = "5.1.02.01.01.0052", "5.1.02.01.01.0026", "5.1.02.01.01.0064"
BUDGET_LINES = (
    (
        "bagian-umum-setda",
        MEALS,
        "Belanja Makanan dan Minuman Rapat",
        "4.01.01.2.06.0009",
        "Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD",
        150_000_000,
    ),
    (
        "bagian-umum-setda",
        CLEANING,
        "Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Pembersih",
        "4.01.01.2.06.0004",
        "Penyediaan Bahan Logistik Kantor",
        40_000_000,
    ),
    (
        "bagian-umum-setda",
        SOUVENIRS,
        "Belanja Cendera Mata dan Bingkisan Tamu",
        "4.01.03.2.01.0002",
        "Fasilitasi Keprotokolan",
        60_000_000,
    ),
    (
        "dinas-pendidikan",
        MEALS,
        "Belanja Makanan dan Minuman Rapat",
        "1.01.01.2.06.0009",
        "Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD",
        25_000_000,
    ),
)


@dataclass(frozen=True)
class DemoProcurement:
    """A procurement of the demo agency, taken through the real services to ``reached``: a
    state of the Surat Pesanan (or ``draft``/``countered`` for the request and negotiation)."""

    title: str
    cooperative: str
    #: (product slug, quantity, offered unit price, agreed unit price)
    lines: tuple[tuple[str, int, int, int], ...]
    reached: str
    days_ago: int
    #: (accepted, rejected) per line for the first delivery, when it gets that far.
    first_delivery: tuple[tuple[int, int], ...] = ()
    #: The budget line's account code (a line of the agency's DPA for the year).
    account: str = MEALS


#: One procurement in each state of the Surat Pesanan, plus a draft and an open negotiation,
#: each from its own cooperative (so no splitting warning is staged by accident).
DEMO_PROCUREMENTS = (
    DemoProcurement(
        "Sabun herbal untuk toilet kantor Setda",
        "kopwan-sekar-melati",
        (("sabun-herbal-sereh-wangi-sekar-melati", 60, 15_000, 14_500),),
        "closed",
        21,
        account=CLEANING,
    ),
    # A PKP cooperative with a valid PP 55/2022 certificate, above the Rp2.000.000 thresholds:
    # its invoice (with its faktur pajak) has PPN collected and PPh 22 at 0.5% final, and waits
    # for the treasurer.
    DemoProcurement(
        "Kain batik tulis untuk cendera mata tamu Wali Kota",
        "koppontren-miftahul-ulum",
        (("kain-batik-tulis-mrico-bolong-miftahul-ulum", 15, 200_000, 195_000),),
        "delivered",
        12,
        account=SOUVENIRS,
    ),
    DemoProcurement(
        "Sambal dan bumbu pecel untuk dapur umum",
        "koppontren-nurul-huda",
        (
            ("sambal-bawang-pedas-nurul-huda", 48, 20_000, 20_000),
            ("bumbu-pecel-kacang-nurul-huda", 50, 14_000, 14_000),
        ),
        "partly_delivered",
        8,
        first_delivery=((24, 0), (48, 2)),
    ),
    DemoProcurement(
        "Air minum kemasan untuk rapat paripurna",
        "koppontren-bustanul-ulum",
        (("air-minum-kemasan-600-ml-karton-bustanul-ulum", 60, 34_000, 34_000),),
        "accepted",
        3,
    ),
    DemoProcurement(
        "Minuman sari rosella untuk pameran OPOP",
        "koppontren-darul-falah",
        (("minuman-sari-rosella-karton-darul-falah", 20, 31_000, 31_000),),
        "issued",
        0,
    ),
    DemoProcurement(
        "Mukena untuk musala Balai Kota",
        "koppontren-roudlotul-jannah",
        (("mukena-katun-rayon-bordir-roudlotul-jannah", 20, 175_000, 170_000),),
        "declined",
        6,
        account=CLEANING,
    ),
    DemoProcurement(
        "Madu randu untuk bingkisan hari jadi kota",
        "ksu-sumber-rejeki",
        (("madu-randu-500-g-sumber-rejeki", 24, 80_000, 80_000),),
        "lapsed",
        10,
        account=SOUVENIRS,
    ),
    DemoProcurement(
        "Miniatur Gapura Bajang Ratu untuk tamu kehormatan",
        "koperasi-bhumi-majapahit",
        (("miniatur-gapura-bajang-ratu-terakota-bhumi-majapahit", 20, 75_000, 70_000),),
        "cancelled",
        5,
        account=SOUVENIRS,
    ),
    DemoProcurement(
        "Jamu instan untuk senam Jumat",
        "kopwan-sekar-melati",
        (("jamu-temulawak-instan-200-g-sekar-melati", 20, 22_000, 22_000),),
        "draft",
        1,
    ),
    DemoProcurement(
        "Kopi bubuk untuk ruang tunggu pelayanan",
        "ksu-sumber-rejeki",
        (("kopi-robusta-bubuk-lereng-welirang-sumber-rejeki", 50, 31_000, 29_000),),
        "countered",
        1,
    ),
)


def seed_procurements() -> int:
    """The demo agency's procurements, each through the real services on the clock of its
    day, so timelines, documents, stock, audit and notifications are as they would be. Emails
    about this invented history are dropped and its notifications are marked read."""
    from marketplace.notifications.models import Notification
    from marketplace.procurement.models import ProcurementRequest

    agency = db.session.scalar(select(Agency).where(Agency.slug == AGENCIES[0][0]))
    if agency is None:
        return 0
    existing = set(
        db.session.scalars(
            select(ProcurementRequest.title).where(ProcurementRequest.agency_id == agency.id)
        )
    )
    wanted = [spec for spec in DEMO_PROCUREMENTS if spec.title not in existing]
    if not wanted:
        return 0
    people = {email: find_user_by_email(email) for email, _name, _roles in AGENCY_ACCOUNTS}
    products = {p.slug: p for p in db.session.scalars(select(Product))}
    first_email = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    first_notice = db.session.scalar(select(func.max(Notification.id))) or 0
    now = clock.now()
    with site_request_context():
        for spec in wanted:
            _stage_procurement(spec, agency, people, products, now)
        g.pop("queued_emails", None)
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > first_email))
    db.session.execute(
        update(Notification).where(Notification.id > first_notice).values(read_at=now)
    )
    return len(wanted)


def _stage_procurement(
    spec: DemoProcurement,
    agency: Agency,
    people: dict[str, User | None],
    products: dict[str, Product],
    now: datetime,
) -> None:
    from marketplace.procurement import (
        deadlines,
        fulfilment,
        negotiation,
        payment,
        purchasing,
        requests,
    )
    from marketplace.procurement.common import local_day

    pp = people["pengadaan@demo.test"]
    ppk = people["ppk@demo.test"]
    receiver = people["penerima@demo.test"]
    treasurer = people["bendahara@demo.test"]
    assert pp and ppk and receiver and treasurer
    start = now - timedelta(days=spec.days_ago, hours=6)
    cooperative = products[spec.lines[0][0]].cooperative
    member = owner_of(cooperative.id)

    def at(hours: float) -> Any:
        return clock.frozen(start + timedelta(hours=hours))

    with at(0):
        day = local_day(start)
        line = db.session.scalar(
            select(BudgetLine.id).where(
                BudgetLine.agency_id == agency.id,
                BudgetLine.year == day.year,
                BudgetLine.account_code == spec.account,
            )
        )
        request = requests.create_request(
            pp,
            requests.RequestDetails(
                agency_id=agency.id,
                title=spec.title,
                kode_rup=f"4512{3000 + len(spec.title):04d}",
                ceiling=sum(quantity * offered for _s, quantity, offered, _a in spec.lines) * 2,
                delivery_date=day + timedelta(days=10),
                delivery_addresses=agency.address,
                notes="Data contoh (fiktif) untuk demo Pasar OPOP.",
                cooperative_ids=(cooperative.id,),
                budget_line_id=line,
            ),
        )
        for slug, quantity, _offered, _agreed in spec.lines:
            requests.add_catalogue_line(pp, request.id, products[slug].variants[0].id, quantity)
        if spec.reached == "draft":
            return
        requests.send_request(pp, request.id)
    quotation = request.quotations[0]
    lines = {line.variant_id: line.id for line in request.lines}

    def prices(agreed: bool) -> dict[int, int]:
        return {
            lines[products[slug].variants[0].id]: agreed_price if agreed else offered
            for slug, _quantity, offered, agreed_price in spec.lines
        }

    with at(1):
        negotiation.submit_offer(
            member,
            quotation.id,
            prices(agreed=False),
            local_day(start) + timedelta(days=8),
            "Siap kirim.",
        )
    if prices(agreed=False) != prices(agreed=True):
        with at(2):
            negotiation.counter_offer(pp, quotation.id, prices(agreed=True), "Mohon harga terbaik.")
        if spec.reached == "countered":
            return
        with at(3):
            negotiation.accept_counter(member, quotation.id)
    else:
        with at(2):
            negotiation.agree_quotation(pp, quotation.id)
    with at(4):
        negotiation.forward_quotation(pp, quotation.id)
    with at(5):
        order = negotiation.approve_quotation(ppk, quotation.id)
    if spec.reached == "issued":
        return
    if spec.reached == "lapsed":
        deadlines.lapse_order(order.id)
        return
    if spec.reached == "declined":
        with at(6):
            purchasing.decline_order(member, order.id, "Bahan baku belum tersedia bulan ini.")
        return
    with at(24):
        purchasing.accept_order(member, order.id)
    if spec.reached == "accepted":
        return
    if spec.reached == "cancelled":
        with at(26):
            purchasing.cancel_order(ppk, order.id, "Acara penyambutan tamu diundur.")
        return
    first = spec.first_delivery or tuple((line.quantity, 0) for line in order.lines)
    with at(48):
        delivery = fulfilment.record_delivery(
            member,
            order.id,
            {
                line.id: accepted + rejected
                for line, (accepted, rejected) in zip(order.lines, first, strict=True)
            },
            fulfilment.DeliveryDetails(
                delivered_on=local_day(start + timedelta(hours=48)),
                driver="Pak Slamet",
                vehicle="S 1801 NB",
            ),
        )
    with at(51):
        accepted_by_line = {
            dl.id: accepted for dl, (accepted, _r) in zip(delivery.lines, first, strict=True)
        }
        bast = fulfilment.inspect_delivery(
            receiver,
            delivery.id,
            accepted_by_line,
            {
                dl.id: "Kemasan penyok." if rejected else ""
                for dl, (_a, rejected) in zip(delivery.lines, first, strict=True)
            },
        )
    with at(72):
        invoice = fulfilment.issue_invoice(member, bast.id)
        if order.is_pkp:
            payment.record_faktur_pajak(
                member,
                invoice.id,
                f"020026{invoice.id:011d}",
                local_day(start + timedelta(hours=72)),
            )
    if spec.reached != "closed":
        return
    with at(120):
        payment.record_payment(
            treasurer,
            invoice.id,
            payment.PaymentDetails(
                method="transfer",
                reference=f"SP2D-{invoice.id:05d}/BU/2026",
                paid_on=local_day(start + timedelta(hours=120)),
                bukti_potong_number=f"BP22-{invoice.id:05d}" if invoice.pph22 else "",
                spp_number=f"SPP-LS/{invoice.id:05d}/2026",
                spm_number=f"SPM-LS/{invoice.id:05d}/2026",
            ),
        )


def seed_agencies() -> None:
    agencies = {a.slug: a for a in db.session.scalars(select(Agency))}
    for slug, name, address, npwp in AGENCIES:
        if slug not in agencies:
            agency = Agency(slug=slug, name=name, address=address, npwp=npwp, is_demo=True)
            db.session.add(agency)
            db.session.flush()
            agencies[slug] = agency
    first = agencies[AGENCIES[0][0]]
    for email, name, roles in AGENCY_ACCOUNTS:
        user = demo_user(email, name)
        for role in roles:
            exists = db.session.scalar(
                select(AgencyMember.id).where(
                    AgencyMember.agency_id == first.id,
                    AgencyMember.user_id == user.id,
                    AgencyMember.role == role,
                )
            )
            if not exists:
                db.session.add(AgencyMember(agency_id=first.id, user_id=user.id, role=role))
    # The second agency has a procurement officer of its own, so agencies can be told apart.
    second = agencies[AGENCIES[1][0]]
    other = demo_user("pengadaan2@demo.test", "Rudi Hartono")
    exists = db.session.scalar(
        select(AgencyMember.id).where(
            AgencyMember.agency_id == second.id, AgencyMember.user_id == other.id
        )
    )
    if not exists:
        db.session.add(
            AgencyMember(
                agency_id=second.id, user_id=other.id, role=ProcurementRole.PEJABAT_PENGADAAN
            )
        )
    seed_budget_lines(agencies)


def seed_budget_lines(agencies: dict[str, Agency]) -> None:
    """The agencies' lines for the year of every demo procurement (this year, and last year's
    too while the oldest procurement falls in it), entered by the PPK; the meals line of this
    year has had a revision (pergeseran)."""
    ppk = find_user_by_email("ppk@demo.test")
    today = clock.today()
    oldest = max(spec.days_ago for spec in DEMO_PROCUREMENTS) + 1
    years = sorted({today.year, (today - timedelta(days=oldest)).year})
    have = set(
        db.session.execute(
            select(BudgetLine.agency_id, BudgetLine.year, BudgetLine.account_code)
        ).tuples()
    )
    for year in years:
        for slug, code, name, sub_code, sub_name, amount in BUDGET_LINES:
            agency = agencies[slug]
            if (agency.id, year, code) in have:
                continue
            line = BudgetLine(
                agency_id=agency.id,
                year=year,
                account_code=code,
                account_name=name,
                sub_activity_code=sub_code,
                sub_activity_name=sub_name,
                amount=amount,
                created_by_id=ppk.id if ppk and slug == AGENCIES[0][0] else None,
            )
            db.session.add(line)
            db.session.flush()
            if year == today.year and slug == AGENCIES[0][0] and code == MEALS:
                db.session.add(
                    BudgetRevision(
                        line_id=line.id,
                        revised_on=today.replace(day=1),
                        change=10_000_000,
                        reason="Pergeseran anggaran I: tambahan rapat koordinasi (data contoh).",
                        created_by_id=ppk.id if ppk else None,
                    )
                )

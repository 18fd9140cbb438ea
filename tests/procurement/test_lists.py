"""Long procurement lists (issue 23): every list pages beyond its first rows (no list stops at
200 any more), filters by status, cooperative and period with the filters kept in the paging
links; a filter value the list cannot use gets a message and is left out (never a 500); and a
page runs the same number of queries however many rows it shows."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.extensions import db
from marketplace.procurement import negotiation, payment, purchasing, requests
from tests.conftest import login
from tests.factories import (
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
    UserFactory,
)
from tests.procurement import workflow as wf
from tests.queries import counted
from tests.shopping import stocked_variant

PP = "pejabat_pengadaan@agency.test"
OWNER = "owner@coop.test"


def ids(html: str, path: str) -> list[int]:
    return [int(found) for found in re.findall(rf'href="/procurement/{path}/(\d+)"', html)]


def get(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def second_cooperative(c: wf.Cast) -> wf.Cast:
    """The same agency buying from a second cooperative."""
    cooperative = CooperativeFactory(name="Koperasi Kedua")
    member = CooperativeMemberFactory(
        cooperative=cooperative, user=UserFactory(email="owner2@coop.test")
    ).user
    product = ProductFactory(cooperative=cooperative, name="Sambal Kedua", unit="botol")
    variant = stocked_variant(1000, product=product, price=10_000)
    db.session.flush()
    return dataclasses.replace(c, cooperative=cooperative, member=member, variant=variant)


@pytest.fixture
def many_requests(app: Flask, clock: ModuleType) -> dict[str, Any]:
    """26 drafts made on 1 December, then on 3 December a request to both cooperatives,
    cancelled."""
    with app.test_request_context():
        c = wf.cast()
        other = second_cooperative(c)
        drafts = [wf.draft(c, 10, title=f"Draf {n}").id for n in range(26)]
        clock.advance(timedelta(days=2))
        both = wf.sent(c, 10, cooperative_ids=(c.cooperative.id, other.cooperative.id))
        requests.cancel_request(c.pp, both.id, "Anggaran digeser")
        db.session.commit()
        return {"drafts": drafts, "cancelled": both.id, "other": other.cooperative.id}


def test_the_agencys_requests_page_beyond_the_first_rows_with_their_filters(
    client: FlaskClient, many_requests: dict[str, Any]
) -> None:
    drafts, cancelled = many_requests["drafts"], many_requests["cancelled"]
    login(client, PP)
    first = get(client, "/procurement/requests")
    assert ids(first, "requests") == [cancelled, *reversed(drafts)][:25]
    assert 'href="/procurement/requests?page=2"' in first
    second = get(client, "/procurement/requests?page=2")
    assert ids(second, "requests") == [drafts[1], drafts[0]]
    assert 'href="/procurement/requests"' in second  # back to the first page

    assert ids(get(client, "/procurement/requests?status=cancelled"), "requests") == [cancelled]
    page = get(client, "/procurement/requests?status=draft&page=2")
    assert ids(page, "requests") == [drafts[0]]
    assert 'href="/procurement/requests?status=draft"' in page  # the filter kept
    other = many_requests["other"]
    assert ids(get(client, f"/procurement/requests?cooperative={other}"), "requests") == [cancelled]
    assert ids(get(client, "/procurement/requests?date_from=2026-12-02"), "requests") == [cancelled]
    until = get(client, "/procurement/requests?date_to=2026-12-01")
    assert ids(until, "requests") == list(reversed(drafts))[:25]
    assert 'href="/procurement/requests?date_to=2026-12-01&amp;page=2"' in until
    empty = get(client, "/procurement/requests?date_from=2026-12-05")
    assert "Tidak ada yang cocok dengan saringan ini." in empty


@pytest.mark.parametrize(
    ("query", "message", "rows"),
    [
        ("status=bogus", "Status tidak dikenal; semua status ditampilkan.", 25),
        ("cooperative=abc", "Koperasi tidak dikenal; semua koperasi ditampilkan.", 25),
        ("cooperative=999999", "Koperasi tidak dikenal; semua koperasi ditampilkan.", 25),
        ("date_from=2026-13-45", "Tanggal tidak valid. Gunakan format 2026-12-31.", 25),
        ("status=DRAFT&cooperative=1e309", "Status tidak dikenal", 25),
        # The usable "from" still filters: only the request of 3 December.
        ("date_from=2026-12-03&date_to=2026-12-01", "Tanggal akhir tidak boleh sebelum", 1),
        ("status=cancelled&date_to=x", "Tanggal tidak valid.", 1),
    ],
)
def test_a_filter_the_list_cannot_use_is_reported_and_left_out(
    client: FlaskClient, many_requests: dict[str, Any], query: str, message: str, rows: int
) -> None:
    login(client, PP)
    page = get(client, f"/procurement/requests?{query}", status=400)
    assert message in page
    assert len(ids(page, "requests")) == rows  # filtered by what could be used


@pytest.mark.parametrize("page", ["abc", "-3", "0", "99999999"])
def test_a_page_number_the_list_cannot_use_is_the_first_page(
    client: FlaskClient, many_requests: dict[str, Any], page: str
) -> None:
    login(client, PP)
    assert len(ids(get(client, f"/procurement/requests?page={page}"), "requests")) == 25


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows a page, so a handful of procurements span several pages."""
    for module in (requests, purchasing, negotiation, payment):
        monkeypatch.setattr(module, "PER_PAGE", 2)


@pytest.fixture
def orders(app: Flask, clock: ModuleType, small_pages: None) -> dict[str, Any]:
    """On 1 December two Surat Pesanan from the cast's cooperative (the first declined, the
    second paid in part); on 3 December one from a second cooperative."""
    with app.test_request_context():
        c = wf.cast(on_hand=5000)
        other = second_cooperative(c)
        declined = wf.issued(c, title="Pertama")
        purchasing.decline_order(c.member, declined.id, "Tidak sanggup")
        paid = wf.accepted(c, quantity=300, title="Kedua")
        invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, paid, 100), 100))
        wf.pay(c, invoice)
        clock.advance(timedelta(days=2))
        third = wf.issued(other, title="Ketiga")
        db.session.commit()
        return {
            "declined": declined.id,
            "paid": paid.id,
            "third": third.id,
            "other": other.cooperative.id,
            "invoice": invoice.number,
            "quotations": (declined.quotation_id, paid.quotation_id),
        }


def test_the_agencys_orders_page_and_filter(client: FlaskClient, orders: dict[str, Any]) -> None:
    login(client, PP)
    first = get(client, "/procurement/orders")
    assert ids(first, "orders") == [orders["third"], orders["paid"]]
    assert 'href="/procurement/orders?page=2"' in first
    assert ids(get(client, "/procurement/orders?page=2"), "orders") == [orders["declined"]]
    assert ids(get(client, "/procurement/orders?status=declined"), "orders") == [orders["declined"]]
    other = orders["other"]
    assert ids(get(client, f"/procurement/orders?cooperative={other}"), "orders") == [
        orders["third"]
    ]
    assert ids(get(client, "/procurement/orders?date_to=2026-12-01"), "orders") == [
        orders["paid"],
        orders["declined"],
    ]
    kept = get(client, "/procurement/orders?date_from=2026-12-01&date_to=2026-12-03")
    assert (
        'href="/procurement/orders?date_from=2026-12-01&amp;date_to=2026-12-03&amp;page=2"' in kept
    )
    get(client, "/procurement/orders?status=nonsense", status=400)


def test_the_cooperatives_lists_page_and_filter(
    client: FlaskClient, orders: dict[str, Any]
) -> None:
    login(client, OWNER)
    declined_quotation, paid_quotation = orders["quotations"]
    quotations = get(client, "/procurement/cooperative/quotations")
    assert ids(quotations, "cooperative/quotations") == [paid_quotation, declined_quotation]
    assert ids(
        get(client, "/procurement/cooperative/quotations?status=approved&date_to=2026-12-01"),
        "cooperative/quotations",
    ) == [paid_quotation, declined_quotation]
    assert (
        ids(
            get(client, "/procurement/cooperative/quotations?date_from=2026-12-02"),
            "cooperative/quotations",
        )
        == []
    )
    coop_orders = get(client, "/procurement/cooperative/orders?status=declined")
    assert ids(coop_orders, "cooperative/orders") == [orders["declined"]]
    assert "Koperasi Kedua" not in get(client, "/procurement/cooperative/orders")
    payments = get(client, "/procurement/cooperative/payments?date_from=2026-12-01")
    assert orders["invoice"] in payments
    none = get(client, "/procurement/cooperative/payments?date_from=2026-12-02")
    assert orders["invoice"] not in none and "Tidak ada yang cocok" in none
    get(client, "/procurement/cooperative/payments?date_to=nope", status=400)
    # The cooperative's lists have no cooperative filter: the list is its own.
    assert 'name="cooperative"' not in quotations


LIST_PAGES = {
    PP: ["/procurement/requests", "/procurement/orders"],
    OWNER: [
        "/procurement/cooperative/quotations",
        "/procurement/cooperative/orders",
        "/procurement/cooperative/payments",
    ],
}


def statements(app: Flask, client: FlaskClient, url: str) -> int:
    with counted(app) as run:
        assert client.get(url).status_code == 200
    return len(run)


def test_each_list_page_runs_as_many_queries_for_many_rows_as_for_one(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast(on_hand=20_000)
        order = wf.accepted(c, quantity=100, title="Satu")
        wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 10), 10)))
        db.session.commit()
    one: dict[str, int] = {}
    for email, urls in LIST_PAGES.items():
        login(client, email)
        for url in urls:
            one[url] = statements(app, client, url)
        client.post("/account/logout")
    with app.test_request_context():
        for n in range(4):
            order = wf.accepted(c, quantity=100, title=f"Lagi {n}")
            wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 10), 10)))
        db.session.commit()
    for email, urls in LIST_PAGES.items():
        login(client, email)
        for url in urls:
            assert statements(app, client, url) == one[url], url
        client.post("/account/logout")


def section_links(html: str) -> list[str]:
    """The request numbers a worklist section's page lists, in order."""
    section = html.split('class="card worklist"')[1].split("</section>")[0]
    return re.findall(r"<strong>([^<]+)</strong>", section)


def test_a_worklist_section_beyond_its_first_rows_pages_through_all_of_them(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.procurement import worklist

    monkeypatch.setattr(worklist, "SECTION_LIMIT", 2)
    monkeypatch.setattr(worklist, "SECTION_PAGE_SIZE", 2)
    with app.test_request_context():
        c = wf.cast()
        numbers = [wf.draft(c, title=f"Draf {n}").number for n in range(5)]
        theirs = dataclasses.replace(c, agency=c.other_agency, pp=c.other_pp)
        other_number = wf.draft(theirs, title="Draf dinas lain").number
        db.session.commit()
    login(client, PP)
    worklist_page = get(client, "/procurement/")
    section = worklist_page.split('data-section="to_send"')[1].split("</section>")[0]
    assert "Menampilkan 2 yang terlama dari 5." in section
    assert 'href="/procurement/worklist/agency/to_send">Lihat semua</a>' in section

    first = get(client, "/procurement/worklist/agency/to_send")
    assert '<span class="badge">5</span>' in first
    assert 'rel="next" href="/procurement/worklist/agency/to_send?page=2"' in first
    assert 'rel="prev"' not in first
    listed = section_links(first)
    listed += section_links(get(client, "/procurement/worklist/agency/to_send?page=2"))
    last = get(client, "/procurement/worklist/agency/to_send?page=3")
    assert 'rel="next"' not in last and 'rel="prev"' in last
    listed += section_links(last)
    # Every draft once, the oldest first; another agency's never.
    assert listed == numbers
    assert other_number not in first + last

    # A section the user's roles do not give, an unknown one or another side: not found.
    for url in (
        "/procurement/worklist/agency/to_approve",
        "/procurement/worklist/agency/nothing",
        "/procurement/worklist/cooperative/to_quote",
        "/procurement/worklist/elsewhere/to_send",
    ):
        get(client, url, status=404)
    # The cooperative's side is its own members'.
    client.post("/account/logout")
    login(client, OWNER)
    assert "Tidak ada yang menunggu." in get(client, "/procurement/worklist/cooperative/to_quote")
    get(client, "/procurement/worklist/agency/to_send", status=404)


def test_a_worklist_sections_page_runs_as_many_queries_for_many_rows_as_for_one(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        wf.draft(c)
        db.session.commit()
    login(client, PP)
    url = "/procurement/worklist/agency/to_send"
    one = statements(app, client, url)
    with app.test_request_context():
        for n in range(6):
            wf.draft(c, title=f"Lagi {n}")
        db.session.commit()
    assert statements(app, client, url) == one

"""Certificates: the one rule for missing or expired ones, the city's list, and the reminders
emailed 30 and 7 days before a certificate expires, once per threshold."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.catalogue.models import Category, Product, ProductStatus
from marketplace.certificates.cli import send_reminders
from marketplace.certificates.models import CertificateReminder
from marketplace.certificates.rules import Problem, products_with_problems
from marketplace.extensions import db
from tests.factories import (
    CategoryFactory,
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
    UserFactory,
)

TODAY = date(2026, 12, 1)  # the `clock` fixture's day in Kota Mojokerto


def tree() -> dict[str, Category]:
    food = CategoryFactory(slug="makanan-minuman", name="Makanan & Minuman")
    herbal = CategoryFactory(slug="herbal-kebersihan", name="Herbal")
    daily = CategoryFactory(slug="kebutuhan-sehari-hari", name="Kebutuhan")
    return {
        "keripik": CategoryFactory(slug="keripik-camilan", parent=food),
        "yogurt": CategoryFactory(slug="yogurt-olahan-susu", parent=food),
        "air": CategoryFactory(slug="air-minum-kemasan", parent=daily),
        "jamu": CategoryFactory(slug="jamu", parent=herbal),
        "sabun": CategoryFactory(slug="sabun-herbal", parent=herbal),
        "batik": CategoryFactory(slug="batik-tulis"),
    }


def product(name: str, category: Category, **fields: Any) -> Product:
    made: Product = ProductFactory(name=name, category=category, **fields)
    return made


def test_the_rule_finds_expired_halal_and_missing_permits(app_ctx: Flask) -> None:
    c = tree()
    product(
        "Keripik Lengkap",
        c["keripik"],
        pirt_number="206351601010124",
        halal_number="ID35110000000000001",
        halal_valid_until=date(2027, 5, 1),
    )
    product("Keripik Tanpa Izin", c["keripik"])
    product("Keripik BPOM", c["keripik"], bpom_md_number="BPOM RI MD 123456789012")
    product("Yogurt PIRT Saja", c["yogurt"], pirt_number="206351601010125")
    product("Air BPOM", c["air"], bpom_md_number="BPOM RI MD 123456789013")
    product("Air Tanpa Apa-apa", c["air"])
    product("Jamu Tanpa Izin", c["jamu"])
    product(
        "Sabun Halal Lama",
        c["sabun"],
        halal_number="ID35110000000000002",
        halal_valid_until=date(2026, 11, 30),
    )
    product("Batik Tulis", c["batik"])
    product("Keripik Diarsip", c["keripik"], status=ProductStatus.ARCHIVED)
    product(
        "Keripik Koperasi Ditolak", c["keripik"], cooperative=CooperativeFactory(status="rejected")
    )

    found = {row.product.name: row.problems for row in products_with_problems(TODAY)}
    assert found == {
        "Keripik Tanpa Izin": [Problem.PERMIT_MISSING],
        "Yogurt PIRT Saja": [Problem.BPOM_MISSING],
        "Air Tanpa Apa-apa": [Problem.BPOM_MISSING],
        "Jamu Tanpa Izin": [Problem.PERMIT_MISSING],
        "Sabun Halal Lama": [Problem.HALAL_EXPIRED],
    }
    # The day a certificate is valid until still counts as valid.
    assert "Sabun Halal Lama" not in {
        row.product.name for row in products_with_problems(date(2026, 11, 30))
    }


def test_the_city_lists_products_with_certificate_problems(
    admin_client: FlaskClient, clock: Any
) -> None:
    c = tree()
    product("Yogurt Tanpa BPOM", c["yogurt"])
    CooperativeFactory(
        name="Koperasi PP55 Lewat",
        pp55_certificate_number="PP55-1",
        pp55_valid_until=date(2026, 10, 1),
    )
    html = admin_client.get("/admin/certificates").get_data(as_text=True)
    assert "Yogurt Tanpa BPOM" in html
    assert "Wajib BPOM MD" in html
    assert "Koperasi PP55 Lewat" in html


# ---------------------------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------------------------


def reminders() -> list[tuple[str, int]]:
    return sorted(
        (row.certificate, row.threshold_days)
        for row in db.session.scalars(select(CertificateReminder))
    )


def shop(email: str, **fields: Any) -> Any:
    cooperative = CooperativeFactory(**fields)
    CooperativeMemberFactory(cooperative=cooperative, user=UserFactory(email=email, locale="id"))
    return cooperative


def test_owners_are_reminded_30_and_7_days_before_once_per_threshold(
    app: Flask, clock: Any, sent_mail: list[Any]
) -> None:
    cooperative = shop(
        "pemilik@contoh.test",
        name="Koppontren Sertifikat",
        pp55_certificate_number="PP55-77",
        pp55_valid_until=TODAY + timedelta(7),
    )
    thirty = product(
        "Keripik Tiga Puluh",
        CategoryFactory(),
        cooperative=cooperative,
        halal_number="ID35110000000000030",
        halal_valid_until=TODAY + timedelta(30),
    )
    five = product(
        "Keripik Lima",
        CategoryFactory(),
        cooperative=cooperative,
        halal_number="ID35110000000000005",
        halal_valid_until=TODAY + timedelta(5),
    )
    product(
        "Keripik Nanti",
        CategoryFactory(),
        cooperative=cooperative,
        halal_number="ID35110000000000031",
        halal_valid_until=TODAY + timedelta(31),
    )
    product(
        "Keripik Lewat",
        CategoryFactory(),
        cooperative=cooperative,
        halal_number="ID35110000000000000",
        halal_valid_until=TODAY - timedelta(1),
    )
    other = shop(
        "lain@contoh.test",
        pp55_certificate_number="PP55-88",
        pp55_valid_until=TODAY + timedelta(20),
    )

    with app.app_context():
        assert send_reminders() == 4
    assert sorted(m.to_address for m in sent_mail) == ["lain@contoh.test", "pemilik@contoh.test"]
    mine = next(m for m in sent_mail if m.to_address == "pemilik@contoh.test")
    assert "Keripik Tiga Puluh" in mine.body_text and "Keripik Lima" in mine.body_text
    assert "PP55-77" in mine.body_text and "Keripik Nanti" not in mine.body_text
    assert "5 hari lagi" in mine.body_text
    assert reminders() == sorted(
        [
            (f"halal:product:{thirty.id}:2026-12-31", 30),
            (f"halal:product:{five.id}:2026-12-06", 7),
            (f"pp55:cooperative:{cooperative.id}:2026-12-08", 7),
            (f"pp55:cooperative:{other.id}:2026-12-21", 30),
        ]
    )

    # Running again (cron twice, the scheduler and cron) sends nothing.
    sent_mail.clear()
    with app.app_context():
        assert send_reminders() == 0
    assert sent_mail == []

    # 23 days later the 30-day certificate reaches the 7-day threshold, and the one that was
    # 31 days away reaches the 30-day one; the rest have expired (no reminder after expiry).
    clock.advance(timedelta(days=23))
    with app.app_context():
        assert send_reminders() == 2
    assert "Keripik Tiga Puluh" in sent_mail[0].body_text
    assert "Keripik Nanti" in sent_mail[0].body_text

    # A renewed certificate is a new certificate: it is reminded about again later on.
    sent_mail.clear()
    thirty.halal_valid_until = TODAY + timedelta(23 + 6)
    db.session.flush()
    with app.app_context():
        assert send_reminders() == 1
    assert [m.to_address for m in sent_mail] == ["pemilik@contoh.test"]


def test_the_command_and_the_daily_task(app: Flask, clock: Any, sent_mail: list[Any]) -> None:
    shop(
        "pemilik@contoh.test",
        pp55_certificate_number="PP55-1",
        pp55_valid_until=TODAY + timedelta(30),
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["certificates", "remind"])
    assert result.exit_code == 0, result.output
    assert "reminded about 1 certificates" in result.output
    assert runner.invoke(args=["certificates", "remind"]).output.strip() == (
        "reminded about 0 certificates"
    )
    assert len(sent_mail) == 1
    assert "http://localhost/vendor/" in sent_mail[0].body_text
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "certificates.remind\tevery 86400s" in listing


def test_a_disabled_owner_is_not_emailed(app: Flask, clock: Any, sent_mail: list[Any]) -> None:
    cooperative = shop(
        "aktif@contoh.test", pp55_certificate_number="PP55-2", pp55_valid_until=TODAY + timedelta(3)
    )
    CooperativeMemberFactory(
        cooperative=cooperative,
        user=UserFactory(email="mati@contoh.test", disabled_at=clock.now()),
    )
    with app.app_context():
        send_reminders()
    assert [m.to_address for m in sent_mail] == ["aktif@contoh.test"]


@pytest.mark.postgres
def test_two_runs_at_once_send_each_reminder_once(committed_app: Flask, clock: Any) -> None:
    with committed_app.app_context():
        cooperative = shop(
            "balapan@contoh.test",
            pp55_certificate_number="PP55-9",
            pp55_valid_until=TODAY + timedelta(6),
        )
        for n in range(10):
            product(
                f"Produk Balapan {n}",
                CategoryFactory(),
                cooperative=cooperative,
                halal_number=f"ID3511000000000010{n}",
                halal_valid_until=TODAY + timedelta(n),
            )
        db.session.commit()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        with committed_app.app_context():
            barrier.wait()
            results.append(send_reminders())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(results) == 11
    with committed_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CertificateReminder)) == 11
    sent = committed_app.extensions["mail_backend"].sent
    mentioned = [
        f"Produk Balapan {n}"
        for message in sent
        for n in range(10)
        if f"Produk Balapan {n}" in message.body_text
    ]
    assert sorted(mentioned) == sorted(f"Produk Balapan {n}" for n in range(10))

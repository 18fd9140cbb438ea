"""Bulk import and export: dry run with every row error, all-or-nothing apply, round trips."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from marketplace import jobs
from marketplace.audit import AuditLog
from marketplace.catalogue.models import Product, ProductStatus, ProductVariant
from marketplace.extensions import db, redis_client
from marketplace.inventory import stock
from marketplace.inventory.bulk import export, imports, read
from marketplace.inventory.bulk import plan as dry_run
from marketplace.inventory.models import ImportJob, ImportStatus, StockMovement
from tests.conftest import login, make_test_app, migrate_to_head
from tests.databases import fresh_database
from tests.factories import (
    CategoryFactory,
    CooperativeMemberFactory,
    PriceTierFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.vendors.conftest import Shop

HEADER = list(read.COLUMNS)


def csv_file(rows: list[dict[str, Any]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, delimiter=delimiter)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def row(sku: str, name: str = "Sambal Bawang", **values: Any) -> dict[str, Any]:
    base = {
        "sku": sku,
        "nama_produk": name,
        "kategori": "keripik-camilan",
        "satuan": "botol",
        "harga": "22.000",
        "stok": "10",
    }
    base.update(values)
    return base


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(Product)) or 0,
        db.session.scalar(select(func.count()).select_from(ProductVariant)) or 0,
        db.session.scalar(select(func.count()).select_from(StockMovement)) or 0,
    )


def test_a_file_with_good_and_bad_rows_lists_every_error_and_changes_nothing(
    owner_client: FlaskClient, shop_a: Shop
) -> None:
    before = counts()
    data = csv_file(
        [
            row("SBL-1", ukuran="250 ml"),
            row("SBL-2", ukuran="500 ml", harga="15000,50"),
            row("SBL-3", kategori="tidak-ada", stok="-4"),
            row("SBL-1", ukuran="1 l"),
            row("", nama_produk=""),
            row("SBL-4", nomor_pirt="123", nomor_bpom_md="ML 1", halal_berlaku_sampai="31-13-2027"),
            row("SBL-5", name="Sambal Bawang", satuan="toples"),
        ]
    )
    response = owner_client.post("/vendor/imports", data={"file": (io.BytesIO(data), "produk.csv")})
    assert response.status_code == 302
    job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
    assert job is not None and job.status == ImportStatus.PREVIEWED
    found = {(e["row"], e["column"], e["code"]) for e in job.errors}
    assert found >= {
        (3, "harga", "not_rupiah"),
        (4, "kategori", "unknown_category"),
        (4, "stok", "not_integer"),
        (5, "sku", "duplicate_sku"),
        (6, "sku", "required"),
        (6, "nama_produk", "required"),
        (7, "nomor_pirt", "bad_pirt"),
        (7, "nomor_bpom_md", "bad_bpom"),
        (7, "halal_berlaku_sampai", "not_date"),
        (8, "satuan", "conflict"),
    }
    page = owner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Berbeda dengan baris 2 untuk produk yang sama." in page
    assert "Tulis harga dalam rupiah tanpa sen" in page
    english = owner_client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Differs from row 2 for the same product." in english
    assert "Terapkan semua perubahan" not in page
    refused = owner_client.post(f"/vendor/imports/{job.id}/confirm")
    assert refused.status_code == 400
    assert counts() == before


def test_a_clean_file_is_previewed_then_applied_with_audit_and_ledger(
    owner_client: FlaskClient, shop_a: Shop
) -> None:
    data = csv_file(
        [
            row("SBL-250", ukuran="250 ml", stok="12"),
            row("SBL-500", ukuran="500 ml", harga="Rp 38.000", stok="6"),
            row(
                shop_a.variant.sku,
                name=shop_a.product.name,
                harga="11000",
                stok="7",
                deskripsi=shop_a.product.description,
                satuan=shop_a.product.unit,
                berat_gram=str(shop_a.product.weight_grams),
            ),
        ],
        delimiter=";",
    )
    response = owner_client.post("/vendor/imports", data={"file": (io.BytesIO(data), "produk.csv")})
    job_url = response.headers["Location"]
    job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
    assert job is not None and job.errors == []
    assert job.summary == {
        "create_products": 1,
        "create_variants": 2,
        "update_variants": 1,
        "unchanged": 0,
    }
    assert {c["sku"]: c["action"] for c in job.changes} == {
        "SBL-250": "create_product",
        "SBL-500": "create_variant",
        shop_a.variant.sku: "update",
    }
    assert "Terapkan semua perubahan" in owner_client.get(job_url).get_data(as_text=True)
    assert owner_client.post(f"/vendor/imports/{job.id}/confirm").status_code == 302
    db.session.expire_all()
    assert job.status == ImportStatus.APPLIED
    product = db.session.scalar(select(Product).where(Product.name == "Sambal Bawang"))
    assert product is not None and product.status == ProductStatus.DRAFT
    assert sorted((v.sku, v.price, v.on_hand) for v in product.variants) == [
        ("SBL-250", 22000, 12),
        ("SBL-500", 38000, 6),
    ]
    assert (shop_a.variant.price, shop_a.variant.on_hand) == (11000, 7)
    assert stock.ledger_balance(shop_a.variant.id) == 7
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"variant.price_changed", "stock.adjusted", "product.created"} <= actions


def test_an_import_file_is_kept_privately_and_served_to_no_one(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, shop_b: Shop
) -> None:
    """A cooperative's prices and stock plans are its own: the file is stored in its private
    folder, and the public media route serves it neither to its owner, another cooperative nor
    a guest."""
    data = csv_file([row("RHS-001", name="Produk Rahasia Alpha", harga="123.456")])
    response = owner_client.post("/vendor/imports", data={"file": (io.BytesIO(data), "produk.csv")})
    assert response.status_code == 302
    job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
    assert job is not None and job.cooperative_id == shop_a.cooperative.id
    assert job.storage_key.startswith(f"private/imports/{shop_a.cooperative.id}/")
    with app.app_context():
        assert app.extensions["storage"].read(job.storage_key) == data
    other = app.test_client()
    assert login(other, shop_b.owner.user.email).status_code == 302
    for who in (owner_client, other, app.test_client()):
        fetched = who.get(f"/media/{job.storage_key}")
        assert fetched.status_code == 404
        assert b"Rahasia" not in fetched.data


def test_confirming_applies_all_rows_or_none(app_ctx: Flask, shop_a: Shop) -> None:
    """A row that fails when applying (stock now reserved) leaves every other row untouched."""
    coop = shop_a.cooperative.id
    other = VariantFactory(product=shop_a.product, sku="RESERVED-1")
    stock.restock(other.id, 10)
    data = csv_file(
        [
            row("NEW-1", name="Produk Baru", stok="5"),
            row(
                shop_a.variant.sku,
                name=shop_a.product.name,
                harga="99000",
                stok="3",
                deskripsi=shop_a.product.description,
                satuan=shop_a.product.unit,
                berat_gram=str(shop_a.product.weight_grams),
            ),
            row(
                "RESERVED-1",
                name=shop_a.product.name,
                harga="10000",
                stok="2",
                deskripsi=shop_a.product.description,
                satuan=shop_a.product.unit,
                berat_gram=str(shop_a.product.weight_grams),
            ),
        ]
    )
    job = imports.start_import(coop, shop_a.owner.user_id, "produk.csv", data)
    assert job.status == ImportStatus.PREVIEWED and job.errors == []
    before = counts()
    other.reserved = 8  # an order arrived between the preview and the confirmation
    db.session.flush()
    job = imports.confirm_import(coop, job.id, shop_a.owner.user_id)
    assert job.status == ImportStatus.FAILED
    assert {e["code"] for e in job.errors} >= {"changed_since_preview", "below_reserved"}
    assert counts() == before
    db.session.expire_all()
    assert shop_a.variant.price == 10000
    assert db.session.scalar(select(Product).where(Product.name == "Produk Baru")) is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(
    owner_client: FlaskClient, shop_a: Shop, shop_b: Shop, fmt: str
) -> None:
    product = ProductFactory(
        cooperative=shop_a.cooperative,
        name='Batik Tulis, "Surya"',
        description='=HYPERLINK("http://jahat.example") baris satu\nbaris dua; koma, titik.',
        halal_number=None,
        pirt_number="209357601010128",
    )
    small = VariantFactory(product=product, sku="BTK-M", options={"ukuran": "M"}, name="M")
    VariantFactory(
        product=product, sku="BTK-L", options={"ukuran": "L", "warna": "Biru"}, name="L / Biru"
    )
    PriceTierFactory(variant=small, min_quantity=10, unit_price=9000)
    stock.restock(small.id, 15)
    db.session.commit()
    exported = owner_client.get(f"/vendor/export/{fmt}")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    if fmt == "csv":
        assert shop_b.variant.sku.encode() not in exported.data
        assert b"'=HYPERLINK" in exported.data  # a spreadsheet shows it as text, never runs it
    before = counts()
    response = owner_client.post(
        "/vendor/imports", data={"file": (io.BytesIO(exported.data), f"ekspor.{fmt}")}
    )
    job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
    assert job is not None and job.errors == [], job.errors
    assert job.changes == []
    assert job.summary["unchanged"] == 3
    page = owner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "tidak ada yang perlu diubah" in page
    assert counts() == before


def test_the_export_lists_only_the_cooperatives_own_products(
    app_ctx: Flask, shop_a: Shop, shop_b: Shop
) -> None:
    skus = [r[0] for r in export.export_rows(shop_a.cooperative.id)]
    assert shop_a.variant.sku in skus and shop_b.variant.sku not in skus


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_imports_cleanly(app_ctx: Flask, shop_a: Shop, fmt: str) -> None:
    data = export.write_file(export.template_rows(), fmt)
    plan = dry_run.plan_import(shop_a.cooperative.id, data)
    assert plan.errors == []
    assert plan.summary["create_products"] == 2 and plan.summary["create_variants"] == 3


def test_an_import_cannot_reach_another_cooperatives_sku(
    app_ctx: Flask, shop_a: Shop, shop_b: Shop
) -> None:
    """The other cooperative's SKU is simply a new SKU here; its variant is never touched."""
    data = csv_file([row(shop_b.variant.sku, name="Produk Sendiri", harga="1")])
    job = imports.start_import(shop_a.cooperative.id, shop_a.owner.user_id, "x.csv", data)
    imports.confirm_import(shop_a.cooperative.id, job.id, shop_a.owner.user_id)
    db.session.expire_all()
    assert shop_b.variant.price == 10000
    assert (
        db.session.scalar(select(func.count()).where(ProductVariant.sku == shop_b.variant.sku)) == 2
    )


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "unreadable"),
        (b"PK\x03\x04 not really a spreadsheet", "unreadable"),
        (b"sku,harga\nA,1\n", "missing_column"),
        (",".join(HEADER).encode() + b"\n", "no_rows"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(
    app_ctx: Flask, shop_a: Shop, content: bytes, code: str
) -> None:
    if not content:
        content = b"\x00\x01\x02"
    job = imports.start_import(shop_a.cooperative.id, shop_a.owner.user_id, "x.csv", content)
    assert code in {e["code"] for e in job.errors}


def test_xlsx_cells_of_numbers_and_dates_are_read(app_ctx: Flask, shop_a: Shop) -> None:
    from datetime import datetime

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    values = row(
        "XL-1",
        harga=15000.0,
        stok=4,
        nomor_halal="ID123",
        halal_berlaku_sampai=datetime(2028, 1, 31),
    )
    sheet.append([values.get(column) for column in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = dry_run.plan_import(shop_a.cooperative.id, buffer.getvalue())
    assert plan.errors == []
    [group] = plan.groups.values()
    assert group[0].price == 15000 and group[0].product["halal_valid_until"].year == 2028


# --- Large imports: progress recorded while they run --------------------------------------------


def _large_file(rows: int, prefix: str) -> bytes:
    return csv_file(
        [row(f"{prefix}-{n:05d}", name=f"Produk {prefix} {n // 2}", stok="1") for n in range(rows)]
    )


def _wait(client: FlaskClient, url: str, done: set[str], seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = client.get(url).get_json()
        if data["status"] in done:
            return dict(data)
        time.sleep(0.1)
    raise AssertionError(f"{url} did not finish")


def test_a_file_of_five_thousand_rows_shows_its_progress_while_it_is_checked(
    committed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with committed_app.app_context():
        CategoryFactory(slug="keripik-camilan")
        member = CooperativeMemberFactory(user=UserFactory(email="besar@example.test"))
        db.session.commit()
        cooperative_id = member.cooperative_id
    # Hold the background check halfway, so the test sees it running.
    halfway = threading.Event()
    release = threading.Event()
    original = dry_run._parse_row

    def slow_parse(number: int, *args: Any) -> Any:
        if number == 3000:
            halfway.set()
            release.wait(30)
        return original(number, *args)

    monkeypatch.setattr(dry_run, "_parse_row", slow_parse)
    client = committed_app.test_client()
    assert login(client, "besar@example.test").status_code == 302
    response = client.post(
        "/vendor/imports", data={"file": (io.BytesIO(_large_file(5000, "B")), "besar.csv")}
    )
    job_url = response.headers["Location"]
    assert halfway.wait(30)
    page = client.get(job_url).get_data(as_text=True)
    assert "data-import-progress" in page and "import-progress.js" in page
    running = client.get(job_url + "/progress").get_json()
    assert running["running"] and running["total"] == 5000
    assert 2500 <= running["processed"] < 5000
    release.set()
    finished = _wait(client, job_url + "/progress", {"previewed", "failed"})
    assert finished["status"] == "previewed" and finished["processed"] == 5000
    with committed_app.app_context():
        job = db.session.scalar(select(ImportJob).where(ImportJob.cooperative_id == cooperative_id))
        assert job is not None and job.summary["create_variants"] == 5000 and job.errors == []


def test_a_large_import_is_applied_in_the_background_all_at_once(committed_app: Flask) -> None:
    committed_app.config["IMPORT_BACKGROUND_ROWS"] = 50
    with committed_app.app_context():
        CategoryFactory(slug="keripik-camilan")
        CooperativeMemberFactory(user=UserFactory(email="besar@example.test"))
        db.session.commit()
    client = committed_app.test_client()
    assert login(client, "besar@example.test").status_code == 302
    response = client.post(
        "/vendor/imports", data={"file": (io.BytesIO(_large_file(120, "C")), "besar.csv")}
    )
    job_url = response.headers["Location"]
    assert _wait(client, job_url + "/progress", {"previewed", "failed"})["status"] == "previewed"
    job_id = int(job_url.rsplit("/", 1)[1])
    assert client.post(f"/vendor/imports/{job_id}/confirm").status_code == 302
    finished = _wait(client, job_url + "/progress", {"applied", "failed"})
    assert finished["status"] == "applied"
    assert "Semua perubahan sudah diterapkan." in client.get(job_url).get_data(as_text=True)
    with committed_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProductVariant)) == 120
        assert db.session.scalar(select(func.count()).select_from(Product)) == 60


def test_without_redis_a_large_import_runs_in_a_thread_of_the_app(committed_app: Flask) -> None:
    committed_app.config["IMPORT_BACKGROUND_ROWS"] = 50
    with committed_app.app_context():
        CategoryFactory(slug="keripik-camilan")
        CooperativeMemberFactory(user=UserFactory(email="besar@example.test"))
        db.session.commit()
    client = committed_app.test_client()
    assert login(client, "besar@example.test").status_code == 302
    response = client.post(
        "/vendor/imports", data={"file": (io.BytesIO(_large_file(60, "T")), "besar.csv")}
    )
    job_url = response.headers["Location"]
    assert _wait(client, job_url + "/progress", {"previewed", "failed"})["status"] == "previewed"
    [thread] = committed_app.extensions["import_threads"]
    assert thread.name == f"import-{job_url.rsplit('/', 1)[1]}"


@pytest.fixture
def queued_app(tmp_path: Path, redis_url: str) -> Iterator[Flask]:
    """An app with a Redis queue, on a database of its own whose writes really commit: the
    worker reads what the request committed."""
    with fresh_database(str(tmp_path), prefix="opop_commit") as url:
        application = make_test_app(
            url, str(tmp_path / "uploads"), REDIS_URL=redis_url, IMPORT_BACKGROUND_ROWS=50
        )
        migrate_to_head(application)
        jobs.use_app(application)
        with application.app_context():
            redis_client().flushdb()
        yield application
        jobs._app_factory = None
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _queued_imports(app: Flask) -> list[tuple[Any, ...]]:
    with app.app_context():
        queue = Queue(jobs.QUEUE_NAME, connection=redis_client())
        return [
            tuple(job.args[1:]) for job in queue.get_jobs() if job.args[0] == imports.RUN_QUEUED
        ]


def _work(app: Flask) -> None:
    with app.app_context():
        queue = Queue(jobs.QUEUE_NAME, connection=redis_client())
        SimpleWorker([queue], connection=redis_client()).work(burst=True)


@pytest.mark.redis
def test_with_a_queue_a_large_import_is_checked_and_applied_by_the_rq_worker(
    queued_app: Flask,
) -> None:
    with queued_app.app_context():
        CategoryFactory(slug="keripik-camilan")
        member = CooperativeMemberFactory(user=UserFactory(email="besar@example.test"))
        db.session.commit()
        user_id = member.user_id
    client = queued_app.test_client()
    assert login(client, "besar@example.test").status_code == 302
    response = client.post(
        "/vendor/imports", data={"file": (io.BytesIO(_large_file(120, "Q")), "besar.csv")}
    )
    job_url = response.headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    assert _queued_imports(queued_app) == [(job_id, "check", None)]
    assert not queued_app.extensions.get("import_threads"), "a thread ran it, not the queue"
    assert client.get(job_url + "/progress").get_json()["status"] == "validating"

    _work(queued_app)
    assert client.get(job_url + "/progress").get_json()["status"] == "previewed"
    assert client.post(f"/vendor/imports/{job_id}/confirm").status_code == 302
    assert _queued_imports(queued_app) == [(job_id, "apply", user_id)]
    assert client.get(job_url + "/progress").get_json()["status"] == "applying"

    _work(queued_app)
    assert client.get(job_url + "/progress").get_json()["status"] == "applied"
    assert not queued_app.extensions.get("import_threads")
    with queued_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProductVariant)) == 120

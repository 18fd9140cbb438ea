"""The workspace's pages: good input works, bad input is refused with a clear localized message
(status 400) and changes nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import ImageFile
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.catalogue.models import Product, ProductImage, ProductStatus, ProductVariant
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeMember,
    CooperativeStatus,
    MemberRole,
)
from marketplace.extensions import db
from marketplace.inventory.models import StockMovement
from marketplace.mail import OutboxEmail
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.photos import phone_photo
from tests.vendors.conftest import Shop, png_bytes
from tests.vendors.test_listing_services import decompression_bomb


def state() -> tuple[Any, ...]:
    """A fingerprint of everything a workspace form can change."""
    db.session.expire_all()

    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    variants = db.session.execute(
        select(ProductVariant.sku, ProductVariant.price, ProductVariant.on_hand).order_by(
            ProductVariant.id
        )
    ).all()
    cooperatives = db.session.execute(
        select(Cooperative.status, Cooperative.bank_account_number, Cooperative.whatsapp)
    ).all()
    products = db.session.execute(select(Product.name, Product.status, Product.halal_number)).all()
    return (
        count(Cooperative),
        count(CooperativeMember),
        count(Product),
        count(ProductImage),
        count(StockMovement),
        count(OutboxEmail),
        tuple(variants),
        tuple(cooperatives),
        tuple(products),
    )


def assert_refused(response: Any, *messages: str) -> None:
    assert response.status_code == 400, response.status_code
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    for message in messages:
        assert message in page, message


APPLICATION = {
    "name": "Koppontren Baru",
    "kind": "koppontren",
    "pesantren_name": "PP Baru",
    "description": "Keripik.",
    "kecamatan": "Magersari",
    "kelurahan": "Gedongan",
    "address": "Jl. Baru 1",
    "postal_code": "61315",
    "whatsapp": "0812-3456-7890",
    "email": "",
    "nib": "9120-0012-30101",
    "npwp": "01.234.567.8-901.234",
    "bank_name": "Bank Jatim",
    "bank_account_number": "0012345678",
    "bank_account_holder": "Koppontren Baru",
    "accept_terms": "y",
}


def test_a_shopper_opens_a_cooperative_and_waits_for_approval(client: FlaskClient) -> None:
    UserFactory(email="calon@example.test")
    login(client, "calon@example.test")
    assert "Buka toko koperasi" in client.get("/").get_data(as_text=True)
    response = client.post("/vendor/apply", data=APPLICATION)
    assert response.status_code == 302 and response.headers["Location"] == "/vendor/status"
    cooperative = db.session.scalar(
        select(Cooperative).where(Cooperative.name == "Koppontren Baru")
    )
    assert cooperative is not None
    assert (cooperative.whatsapp, cooperative.nib, cooperative.npwp) == (
        "6281234567890",
        "9120001230101",
        "012345678901234",
    )
    assert cooperative.status == CooperativeStatus.PENDING
    home = client.get("/").get_data(as_text=True)
    assert "Koperasi saya" in home and "Buka toko koperasi" not in home
    assert "sedang diperiksa" in client.get("/vendor/status").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nib": "12345"}, "NIB terdiri dari 13 angka."),
        ({"npwp": "123"}, "NPWP terdiri dari 15 atau 16 angka."),
        ({"whatsapp": "12345"}, "Nomor WhatsApp tidak valid."),
        ({"kecamatan": "Trowulan"}, "Pilih salah satu dari daftar."),
        ({"pesantren_name": ""}, "Wajib diisi untuk Koppontren."),
        ({"postal_code": "6131"}, "Kode pos terdiri dari 5 angka."),
        ({"bank_account_number": "12ab"}, "Panjang harus 6–20 karakter."),
        ({"pp55_certificate_number": "KET-1"}, "Isi tanggal berlakunya surat keterangan."),
        ({"accept_terms": ""}, "Wajib diisi."),
    ],
)
def test_a_bad_application_is_refused_and_creates_nothing(
    client: FlaskClient, changes: dict[str, str], message: str
) -> None:
    UserFactory(email="calon@example.test")
    login(client, "calon@example.test")
    before = state()
    assert_refused(client.post("/vendor/apply", data={**APPLICATION, **changes}), message)
    assert state() == before


def test_application_errors_speak_english_too(client: FlaskClient) -> None:
    UserFactory(email="calon@example.test")
    login(client, "calon@example.test")
    response = client.post("/vendor/apply?lang=en", data={**APPLICATION, "nib": "1"})
    assert_refused(response, "The NIB has 13 digits.")


def test_an_owner_corrects_an_application_when_asked(client: FlaskClient) -> None:
    owner = CooperativeMemberFactory(
        cooperative__status=CooperativeStatus.CHANGES_REQUESTED,
        cooperative__status_reason="NPWP belum sesuai.",
        user=UserFactory(email="pemilik@example.test"),
    )
    login(client, "pemilik@example.test")
    status_page = client.get("/vendor/status").get_data(as_text=True)
    assert "NPWP belum sesuai." in status_page and "Perbaiki pendaftaran" in status_page
    assert_refused(client.post("/vendor/application", data={**APPLICATION, "npwp": "1"}))
    data = {k: v for k, v in APPLICATION.items() if k != "accept_terms"}
    response = client.post("/vendor/application", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert owner.cooperative.status == CooperativeStatus.PENDING


def test_the_dashboard_flags_low_stock_and_expired_halal_certificates(
    owner_client: FlaskClient, shop_a: Shop
) -> None:
    from datetime import date, timedelta

    shop_a.product.halal_number = "ID35110000000000009"
    shop_a.product.halal_valid_until = date.today() - timedelta(days=2)
    db.session.commit()
    page = owner_client.get("/vendor/").get_data(as_text=True)
    assert "Kedaluwarsa" in page and shop_a.product.name in page
    assert "Stok menipis" in page and shop_a.variant.sku in page  # 0 on hand, threshold 5
    assert "ORDERS PLACEHOLDER" not in page  # a template comment, never rendered


def test_creating_a_product_with_stock_then_publishing_it(
    owner_client: FlaskClient, shop_a: Shop, category: Any
) -> None:
    response = owner_client.post(
        "/vendor/products/new",
        data={
            "name": "Sambal Roa",
            "category_id": str(category.id),
            "description": "Pedas.",
            "unit": "botol",
            "sku": "sbl-roa-250",
            "size": "250 ml",
            "price": "25.000",
            "initial_stock": "12",
            "low_stock_threshold": "3",
        },
    )
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.name == "Sambal Roa"))
    assert product is not None and product.status == ProductStatus.DRAFT
    [variant] = product.variants
    assert (variant.sku, variant.price, variant.on_hand) == ("SBL-ROA-250", 25000, 12)
    publish = owner_client.post(
        f"/vendor/products/{product.id}/publication", data={"action": "publish"}
    )
    assert publish.status_code == 302
    db.session.expire_all()
    assert product.status == ProductStatus.ACTIVE
    assert owner_client.get(f"/products/{product.slug}").status_code == 200
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "product.publish"))
    assert audit is not None and audit.actor_id == shop_a.owner.user_id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sku": "SKU-ALPHA"}, "SKU ini sudah dipakai produk lain di koperasi Anda."),
        ({"sku": "spasi tidak boleh"}, "SKU hanya boleh huruf"),
        ({"price": "15000,50"}, "rupiah bulat tanpa sen"),
        ({"price": ""}, "Wajib diisi."),
        ({"initial_stock": "-1"}, "Paling sedikit 0."),
        ({"pirt_number": "12345"}, "Nomor PIRT terdiri dari 15 angka."),
        ({"bpom_md_number": "ML 123"}, "Nomor BPOM MD ditulis MD diikuti 12 angka."),
        ({"halal_number": "ID1"}, "Isi tanggal berlaku sertifikat halal."),
        ({"halal_number": "ID1", "halal_valid_until": "31/31/2027"}, "Tanggal tidak valid."),
        ({"category_id": "999999"}, "Pilih salah satu dari daftar."),
        ({"min_order_qty": "0"}, "Paling sedikit 1."),
        ({"name": ""}, "Wajib diisi."),
    ],
)
def test_a_bad_new_product_is_refused_and_nothing_is_created(
    owner_client: FlaskClient, shop_a: Shop, category: Any, changes: dict[str, str], message: str
) -> None:
    before = state()
    data = {
        "name": "Sambal Roa",
        "category_id": str(category.id),
        "description": "Pedas.",
        "unit": "botol",
        "sku": "SBL-ROA",
        "price": "25000",
        "initial_stock": "3",
        **changes,
    }
    assert_refused(owner_client.post("/vendor/products/new", data=data), message)
    assert state() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tier1_quantity": "10", "tier1_price": "10000"}, "lebih murah dari harga satuan"),
        ({"tier1_quantity": "10"}, "Isi jumlah dan harganya."),
        (
            {
                "tier1_quantity": "20",
                "tier1_price": "9000",
                "tier2_quantity": "10",
                "tier2_price": "8000",
            },
            "makin besar",
        ),
        ({"tier1_quantity": "1", "tier1_price": "9000"}, "Paling sedikit 2."),
        ({"price": "abc"}, "rupiah bulat tanpa sen"),
    ],
)
def test_bad_bulk_tiers_on_the_variant_form_are_refused(
    owner_client: FlaskClient, shop_a: Shop, changes: dict[str, str], message: str
) -> None:
    before = state()
    data = {"sku": shop_a.variant.sku, "price": "10000", "low_stock_threshold": "5", **changes}
    assert_refused(owner_client.post(f"/vendor/variants/{shop_a.variant.id}", data=data), message)
    assert state() == before


def test_adding_a_variant_and_editing_its_price_and_tiers(
    owner_client: FlaskClient, shop_a: Shop
) -> None:
    response = owner_client.post(
        f"/vendor/products/{shop_a.product.id}/variants/new",
        data={"sku": "ALPHA-L", "size": "L", "price": "12000", "initial_stock": "4"},
    )
    assert response.status_code == 302
    variant = db.session.scalar(select(ProductVariant).where(ProductVariant.sku == "ALPHA-L"))
    assert variant is not None and variant.on_hand == 4
    response = owner_client.post(
        f"/vendor/variants/{variant.id}",
        data={
            "sku": "ALPHA-L",
            "size": "L",
            "price": "13.000",
            "low_stock_threshold": "1",
            "tier1_quantity": "10",
            "tier1_price": "12.000",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert variant.price == 13000 and [
        (t.min_quantity, t.unit_price) for t in variant.price_tiers
    ] == [(10, 12000)]
    form = owner_client.get(f"/vendor/variants/{variant.id}").get_data(as_text=True)
    assert 'value="12.000"' in form  # shown with its thousands dots


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"%PDF-1.7 this is not a photo",
            "foto.jpg",
            "Berkas ini bukan gambar JPEG, PNG atau WebP yang dapat dibaca.",
        ),
        (png_bytes() + b"\0" * (15 * 1024 * 1024), "besar.png", "paling besar 15 MB"),
        (decompression_bomb(), "bom.png", "Gambar terlalu besar (lebih dari"),
    ],
)
def test_bad_photos_are_refused_cleanly(
    owner_client: FlaskClient, shop_a: Shop, data: bytes, filename: str, message: str
) -> None:
    before = state()
    response = owner_client.post(
        f"/vendor/products/{shop_a.product.id}/images",
        data={"photo": (io.BytesIO(data), filename), "alt_text": ""},
    )
    assert_refused(response, message)
    assert state() == before


def test_a_photo_over_sixteen_megapixels_is_refused_before_it_is_decoded(
    owner_client: FlaskClient, shop_a: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[Any] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))
    photos = Path(owner_client.application.config["UPLOAD_FOLDER"]) / "products"
    before = state(), sorted(photos.rglob("*"))
    response = owner_client.post(
        f"/vendor/products/{shop_a.product.id}/images",
        data={"photo": (io.BytesIO(png_bytes((5_000, 5_000))), "besar.png"), "alt_text": ""},
    )
    assert_refused(response, "Gambar terlalu besar (lebih dari 16 megapiksel)")
    assert decoded == [], "the photo was decoded before its size was checked"
    assert (state(), sorted(photos.rglob("*"))) == before


def test_a_photo_is_uploaded_and_deleted(owner_client: FlaskClient, shop_a: Shop) -> None:
    response = owner_client.post(
        f"/vendor/products/{shop_a.product.id}/images",
        data={"photo": (io.BytesIO(png_bytes((800, 600))), "../../etc/passwd.png")},
    )
    assert response.status_code == 302
    image = db.session.scalars(
        select(ProductImage)
        .where(ProductImage.product_id == shop_a.product.id)
        .order_by(ProductImage.id.desc())
    ).first()
    assert image is not None and "passwd" not in image.storage_key
    assert owner_client.get(f"/media/{image.storage_key}").status_code == 200
    assert owner_client.post(f"/vendor/images/{image.id}/delete").status_code == 302
    assert db.session.get(ProductImage, image.id) is None


def test_a_photo_straight_from_a_phone_camera_is_accepted_and_stored_small(
    owner_client: FlaskClient, shop_a: Shop
) -> None:
    """A phone's photo (4000×3000, 7 MB) sent whole, as a browser without the page's
    resizing sends it."""
    photo = phone_photo()
    assert len(photo) > 5 * 1024 * 1024
    form = owner_client.get(f"/vendor/products/{shop_a.product.id}").get_data(as_text=True)
    assert "paling besar 15 MB" in form and 'data-resize-image="1600"' in form
    response = owner_client.post(
        f"/vendor/products/{shop_a.product.id}/images",
        data={"photo": (io.BytesIO(photo), "IMG_20261206_101500.jpg"), "alt_text": ""},
    )
    assert response.status_code == 302
    image = db.session.scalars(
        select(ProductImage)
        .where(ProductImage.product_id == shop_a.product.id)
        .order_by(ProductImage.id.desc())
    ).first()
    assert image is not None and (image.width, image.height) == (1200, 900)
    assert sorted(image.renditions, key=int) == ["320", "640", "1200"]
    thumbnail = owner_client.get(f"/media/{image.renditions['320']}")
    assert thumbnail.mimetype == "image/webp" and len(thumbnail.data) < 100_000


def test_a_photo_upload_without_a_file_is_refused(owner_client: FlaskClient, shop_a: Shop) -> None:
    assert_refused(
        owner_client.post(f"/vendor/products/{shop_a.product.id}/images", data={}),
        "Pilih berkas foto.",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "damage", "quantity": "5", "note": "pecah"},
            "Stok tidak cukup: yang tersedia 3.",
        ),
        (
            {"kind": "correction", "quantity": "1", "note": ""},
            "Tuliskan keterangan perubahan stok.",
        ),
        ({"kind": "restock", "quantity": "0"}, "Jumlah tidak valid."),
        ({"kind": "restock", "quantity": "dua"}, "Isi dengan angka bulat"),
        ({"kind": "hilang-semua", "quantity": "1"}, "Pilih salah satu dari daftar."),
        ({"kind": "correction", "quantity": "-2", "note": "x"}, "Paling sedikit 0."),
    ],
)
def test_bad_stock_changes_are_refused(
    owner_client: FlaskClient, shop_a: Shop, data: dict[str, str], message: str
) -> None:
    owner_client.post(
        f"/vendor/variants/{shop_a.variant.id}/stock", data={"kind": "restock", "quantity": "3"}
    )
    before = state()
    response = owner_client.post(f"/vendor/variants/{shop_a.variant.id}/stock", data=data)
    assert_refused(response, message)
    assert state() == before


def test_the_ledger_shows_who_changed_stock_and_why(
    owner_client: FlaskClient, shop_a: Shop
) -> None:
    url = f"/vendor/variants/{shop_a.variant.id}/stock"
    owner_client.post(url, data={"kind": "restock", "quantity": "10", "note": "panen"})
    owner_client.post(url, data={"kind": "loss", "quantity": "2", "note": "hilang di pasar"})
    owner_client.post(url, data={"kind": "correction", "quantity": "7", "note": "stok opname"})
    page = owner_client.get(url).get_data(as_text=True)
    assert "hilang di pasar" in page and "stok opname" in page
    assert shop_a.owner.user.full_name in page
    db.session.expire_all()
    assert shop_a.variant.on_hand == 7


def test_staff_work_on_listings_but_not_on_the_profile(
    staff_client: FlaskClient, shop_a: Shop
) -> None:
    assert staff_client.get("/vendor/products").status_code == 200
    assert staff_client.get("/vendor/profile").status_code == 403
    assert staff_client.post("/vendor/bank-account", data={"bank_name": "X"}).status_code == 403
    nav = staff_client.get("/vendor/").get_data(as_text=True)
    assert "Profil &amp; rekening" not in nav and "Anggota" not in nav


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        (
            "/vendor/profile",
            {
                "whatsapp": "0812",
                "description": "x",
                "kelurahan": "k",
                "address": "a",
                "postal_code": "61315",
            },
            "Nomor WhatsApp tidak valid.",
        ),
        (
            "/vendor/profile",
            {
                "whatsapp": "081234567890",
                "description": "x",
                "kelurahan": "k",
                "address": "a",
                "postal_code": "61315",
                "local_delivery_fee": "5.000,5",
            },
            "rupiah bulat tanpa sen",
        ),
        (
            "/vendor/bank-account",
            {"bank_name": "BRI", "bank_account_number": "12-ab-cd", "bank_account_holder": "X"},
            "Nomor rekening hanya berisi angka.",
        ),
        ("/vendor/members/invite", {"email": "bukan-email"}, "Alamat email tidak valid."),
    ],
)
def test_bad_profile_bank_and_invitation_forms_are_refused(
    owner_client: FlaskClient, shop_a: Shop, url: str, data: dict[str, str], message: str
) -> None:
    before = state()
    assert_refused(owner_client.post(url, data=data), message)
    assert state() == before


def test_inviting_someone_who_is_already_a_member_is_refused(
    owner_client: FlaskClient, shop_a: Shop
) -> None:
    before = state()
    response = owner_client.post("/vendor/members/invite", data={"email": shop_a.staff.user.email})
    assert_refused(response, "Akun ini sudah menjadi anggota sebuah koperasi.")
    assert state() == before


def test_an_invitation_is_accepted_through_its_link(
    client: FlaskClient, shop_a: Shop, sent_mail: list[Any]
) -> None:
    login(client, shop_a.owner.user.email)
    assert (
        client.post("/vendor/members/invite", data={"email": "baru@example.test"}).status_code
        == 302
    )
    link = re.search(r"http://[^/]+(/join/\S+)", sent_mail[-1].body_text)
    assert link, sent_mail[-1].body_text
    client.post("/account/logout")
    UserFactory(email="salah@example.test")
    login(client, "salah@example.test")
    wrong = client.post(link.group(1))
    assert wrong.status_code == 400 and "alamat email lain" in wrong.get_data(as_text=True)
    client.post("/account/logout")
    UserFactory(email="baru@example.test")
    login(client, "baru@example.test")
    assert "Terima undangan" in client.get(link.group(1)).get_data(as_text=True)
    assert client.post(link.group(1)).status_code == 302
    member = db.session.scalar(
        select(CooperativeMember)
        .join(CooperativeMember.user)
        .where(
            CooperativeMember.cooperative_id == shop_a.cooperative.id,
            CooperativeMember.role == MemberRole.STAFF,
        )
        .order_by(CooperativeMember.id.desc())
    )
    assert member is not None and member.user.email == "baru@example.test"
    assert client.get(link.group(1)).status_code == 400  # used once


def test_an_import_without_a_file_is_refused(owner_client: FlaskClient, shop_a: Shop) -> None:
    assert_refused(owner_client.post("/vendor/imports", data={}), "Pilih berkas CSV atau XLSX.")


def test_workspace_forms_need_a_csrf_token(
    owner_client: FlaskClient, shop_a: Shop, csrf_enabled: None
) -> None:
    before = state()
    response = owner_client.post(
        f"/vendor/variants/{shop_a.variant.id}/stock", data={"kind": "restock", "quantity": "3"}
    )
    assert response.status_code == 400
    response = owner_client.post(
        f"/vendor/products/{shop_a.product.id}/publication", data={"action": "publish"}
    )
    assert response.status_code == 400
    assert state() == before
    page = owner_client.get(f"/vendor/products/{shop_a.product.id}").get_data(as_text=True)
    forms = page.count('method="post"')
    assert forms == page.count('name="csrf_token"')

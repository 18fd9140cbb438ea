"""The demo data keeps its own rules: the pilot the demo shows (nine cooperatives, three per
kecamatan, six koppontren, two PKP), certificates that exercise every reminder and every rule, and
products that cover every subcategory, tier, variant and stock state. These were
``demo_data.validate()``; as tests they run with the suite instead of by hand."""

from __future__ import annotations

import re

from marketplace import demo_data as data
from marketplace.cooperatives.models import KECAMATAN

#: The formats the demo data is written in (ISO dates, slugs, SKUs, certificate numbers).
ISO_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
SKU = re.compile(r"[A-Z0-9]+(-[A-Z0-9]+)*")
HALAL = re.compile(r"ID35\d{15}")
BPOM_MD = re.compile(r"BPOM RI MD \d{12}")
FOOD_TOP_LEVEL = "makanan-minuman"
FOOD_SUBCATEGORIES = {"jamu", "madu", "sembako", "air-minum-kemasan"}
BPOM_SUBCATEGORIES = {"yogurt-olahan-susu", "air-minum-kemasan"}


def subcategory_parents() -> dict[str, str]:
    return {sub.slug: top.slug for top in data.CATEGORIES for sub in top.children}


def test_the_categories_are_two_levels_with_unique_slugs_and_colours() -> None:
    top_slugs = [c.slug for c in data.CATEGORIES]
    sub_to_top: dict[str, str] = {}
    for top in data.CATEGORIES:
        assert 2 <= len(top.children) <= 5, f"{top.slug}: needs 2-5 subcategories"
        for sub in top.children:
            assert not sub.children, f"{sub.slug}: tree has only two levels"
            sub_to_top[sub.slug] = top.slug
    all_category_slugs = top_slugs + list(sub_to_top)
    assert len(set(all_category_slugs)) == len(all_category_slugs), "duplicate category slug"
    for slug in all_category_slugs:
        assert SLUG.fullmatch(slug) is not None, f"bad category slug {slug!r}"
        assert slug in data._IMAGE_COLORS, f"no image colour for {slug}"


def test_the_cooperatives_are_the_pilot_with_valid_details_and_delivery() -> None:
    assert len(data.COOPERATIVES) == 9, "need exactly 9 cooperatives"
    coop_slugs = [c.slug for c in data.COOPERATIVES]
    assert len(set(coop_slugs)) == len(coop_slugs), "duplicate cooperative slug"
    assert sum(c.kind == "koppontren" for c in data.COOPERATIVES) == 6, "need 6 koppontren"
    for kec in KECAMATAN:
        assert sum(c.kecamatan == kec for c in data.COOPERATIVES) == 3, f"need 3 in {kec}"
    assert sum(c.is_pkp for c in data.COOPERATIVES) == 2, "need exactly 2 PKP cooperatives"
    assert sum(c.pp55_number is not None for c in data.COOPERATIVES) == 5, "need 5 PP 55 certs"
    # One PKP cooperative holds PP 55 too: its invoice shows PPN collected and PPh 22 at 0.5%.
    assert any(c.is_pkp and c.pp55_number for c in data.COOPERATIVES), "need a PKP with PP 55"
    for i, coop in enumerate(data.COOPERATIVES, start=1):
        where = coop.slug
        assert SLUG.fullmatch(coop.slug) is not None, f"{where}: bad slug"
        assert coop.kind in ("koppontren", "koperasi"), f"{where}: bad kind"
        assert (coop.kind == "koppontren") == (coop.pesantren is not None), f"{where}: pesantren"
        assert coop.kecamatan in KECAMATAN, f"{where}: bad kecamatan"
        assert re.fullmatch(r"613\d\d", coop.postcode) is not None, f"{where}: bad postcode"
        assert re.fullmatch(r"628\d{8,10}", coop.whatsapp) is not None, f"{where}: whatsapp"
        assert coop.email == f"koperasi{i}@demo.test", f"{where}: email out of order"
        assert re.fullmatch(r"\d{13}", coop.nib) is not None, f"{where}: bad NIB"
        assert re.fullmatch(r"\d{16}", coop.npwp) is not None, f"{where}: bad NPWP"
        assert re.fullmatch(r"\d{10,15}", coop.bank_account_number) is not None, (
            f"{where}: bad bank account number"
        )
        assert (coop.pp55_number is None) == (coop.pp55_valid_until is None), (
            f"{where}: PP 55 number and validity go together"
        )
        if coop.pp55_valid_until is not None:
            assert ISO_DATE.fullmatch(coop.pp55_valid_until) is not None, f"{where}: PP55 date"
        assert coop.local_delivery_fee > 0, f"{where}: delivery fee"
    assert set(data.DELIVERY) == set(coop_slugs), "every cooperative needs its delivery options"
    for slug, delivery in data.DELIVERY.items():
        assert delivery.pickup or delivery.local_delivery or delivery.courier, (
            f"{slug}: offers no delivery"
        )
        assert delivery.courier == bool(delivery.courier_bands), f"{slug}: courier needs bands"
        weights = [w for w, _ in delivery.courier_bands]
        fees = [f for _, f in delivery.courier_bands]
        assert weights == sorted(set(weights)), f"{slug}: band weights must ascend"
        assert fees == sorted(set(fees)), f"{slug}: band fees must ascend"
    pp55_dates = [c.pp55_valid_until for c in data.COOPERATIVES if c.pp55_valid_until]
    assert sum(d.startswith("2025") for d in pp55_dates) == 1, "one PP 55 cert expired in 2025"
    assert all(d[:4] in ("2025", "2027", "2028") for d in pp55_dates), "PP 55 validity years"


def test_the_products_cover_the_catalogue_with_valid_skus_prices_and_certificates() -> None:
    sub_to_top = subcategory_parents()
    coop_slugs = [c.slug for c in data.COOPERATIVES]
    assert len(data.PRODUCTS) >= 60, "need at least 60 products"
    product_slugs = [p.slug for p in data.PRODUCTS]
    assert len(set(product_slugs)) == len(product_slugs), "duplicate product slug"
    skus_by_coop: dict[str, set[str]] = {slug: set() for slug in coop_slugs}
    used_subcategories: set[str] = set()
    for p in data.PRODUCTS:
        where = p.slug
        assert SLUG.fullmatch(p.slug) is not None, f"{where}: bad slug"
        assert p.cooperative in skus_by_coop, f"{where}: unknown cooperative {p.cooperative}"
        assert p.category in sub_to_top, f"{where}: unknown subcategory {p.category}"
        used_subcategories.add(p.category)
        assert SKU.fullmatch(p.sku) is not None, f"{where}: bad sku {p.sku!r}"
        assert p.sku not in skus_by_coop[p.cooperative], f"{where}: duplicate sku {p.sku}"
        skus_by_coop[p.cooperative].add(p.sku)
        assert p.price > 0 and p.weight_grams > 0, f"{where}: price and weight must be > 0"
        assert 1 <= p.min_order_qty <= 12, f"{where}: min_order_qty out of range"
        assert 0 <= p.stock <= 300, f"{where}: stock out of range"
        assert bool(p.name) and bool(p.description) and bool(p.unit), f"{where}: empty text"

        # bulk price tiers
        last_qty, last_price = p.min_order_qty, p.price
        for qty, unit_price in p.tiers:
            assert qty > last_qty, f"{where}: tier quantities must ascend above min order"
            assert 0 < unit_price < last_price, f"{where}: tier prices must descend below price"
            last_qty, last_price = qty, unit_price

        # variants
        if p.variants:
            suffixes = [v.sku_suffix for v in p.variants]
            assert len(set(suffixes)) == len(suffixes), f"{where}: duplicate variant suffix"
            option_sets = [v.options for v in p.variants]
            assert len(set(option_sets)) == len(option_sets), f"{where}: duplicate options"
            for v in p.variants:
                assert SKU.fullmatch(v.sku_suffix) is not None, f"{where}: bad variant suffix"
                assert bool(v.options), f"{where}: variant without options"
                assert v.price > 0 and v.stock >= 0, f"{where}: variant price/stock"
            assert p.price == min(v.price for v in p.variants), f"{where}: base = min price"
            assert p.stock == sum(v.stock for v in p.variants), f"{where}: stock = sum"

        # certificates
        top_slug = sub_to_top[p.category]
        is_food = top_slug == FOOD_TOP_LEVEL or p.category in FOOD_SUBCATEGORIES
        assert (p.halal_number is None) == (p.halal_valid_until is None), (
            f"{where}: halal number and validity go together"
        )
        if p.halal_number is not None:
            assert HALAL.fullmatch(p.halal_number) is not None, f"{where}: bad halal number"
            assert is_food or p.category == "sabun-herbal", f"{where}: halal on non-food"
        if p.halal_valid_until is not None:
            assert ISO_DATE.fullmatch(p.halal_valid_until) is not None, f"{where}: halal date"
        if p.pirt_number is not None:
            assert re.fullmatch(r"\d{15}", p.pirt_number) is not None, f"{where}: bad PIRT"
            assert is_food and p.category not in BPOM_SUBCATEGORIES, f"{where}: PIRT misuse"
        if p.category in BPOM_SUBCATEGORIES:
            assert p.bpom_md_number is not None, f"{where}: needs BPOM MD"
        if p.bpom_md_number is not None:
            assert BPOM_MD.fullmatch(p.bpom_md_number) is not None, f"{where}: bad BPOM MD"
            assert p.pirt_number is None, f"{where}: BPOM MD replaces PIRT"
        assert p.sni == (p.category == "air-minum-kemasan"), f"{where}: SNI only for water"

    assert used_subcategories == set(sub_to_top), "every subcategory needs a product"
    for slug in coop_slugs:
        count = sum(p.cooperative == slug for p in data.PRODUCTS)
        assert 5 <= count <= 10, f"{slug}: needs 5-10 products, has {count}"
    assert sum(p.stock == 0 for p in data.PRODUCTS) == 3, "need exactly 3 sold-out products"
    assert sum(0 < p.stock <= 5 for p in data.PRODUCTS) == 4, "need exactly 4 low-stock products"
    assert 6 <= sum(p.featured for p in data.PRODUCTS) <= 10, "about 8 featured products"
    assert sum(bool(p.tiers) for p in data.PRODUCTS) >= 12, "about 15 products with tiers"
    assert sum(bool(p.variants) for p in data.PRODUCTS) >= 4, "at least 4 products with variants"
    assert any(len(v.options) >= 2 for p in data.PRODUCTS for v in p.variants), (
        "one product needs two option kinds"
    )
    halal_dates = [p.halal_valid_until for p in data.PRODUCTS if p.halal_valid_until]
    assert sum(d.startswith("2026") and d < "2026-11-01" for d in halal_dates) == 2, (
        "two halal certificates expired in 2026"
    )
    assert sum("2026-12-01" <= d <= "2027-01-31" for d in halal_dates) == 3, (
        "three halal certificates expiring in Dec 2026 / Jan 2027"
    )
    assert all(d >= "2026-01-01" for d in halal_dates), "no halal expiry before 2026"


def test_the_demo_complaints_take_one_complaint_to_each_state() -> None:
    from marketplace.complaints.models import ComplaintStatus
    from marketplace.demo.complaints import PRODUCT_SLUG, STORIES

    assert set(STORIES) == set(ComplaintStatus)
    product = next(p for p in data.PRODUCTS if p.slug == PRODUCT_SLUG)
    # Nine orders of two units, and refunds of at most one unit's price.
    assert product.stock >= 2 * len(STORIES) and product.price >= 5_000

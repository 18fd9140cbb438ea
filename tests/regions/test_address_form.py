"""The address form by region: the lists step by step without JavaScript, the JSON search,
what is saved, and older addresses matched or asked again."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.address_regions import match_saved_addresses
from marketplace.accounts.models import Address
from marketplace.extensions import db
from marketplace.regions.models import Region
from tests.conftest import login
from tests.factories import AddressFactory, UserFactory

TYPED = {
    "label": "Kantor",
    "recipient_name": "Budi",
    "phone": "0812 3456 7890",
    "street": "Jl. Majapahit No. 5",
    "postal_code": "",
}


def _options(html: str, name: str) -> list[str]:
    start = html.index(f'name="{name}"')
    block = html[start : html.index("</select>", start)]
    return [part.split('"')[0] for part in block.split('value="')[1:] if part.split('"')[0]]


def test_the_lists_open_one_level_at_a_time_without_javascript(
    client: FlaskClient, regions: None
) -> None:
    UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    html = client.get("/account/addresses/new").get_data(as_text=True)
    assert _options(html, "province_code") == ["31", "35"]  # by name: Daerah…, Jawa…
    assert _options(html, "regency_code") == []
    step = client.post(
        "/account/addresses/new",
        data={**TYPED, "province_code": "35", "choose_region": "1"},
    )
    assert step.status_code == 200
    html = step.get_data(as_text=True)
    assert _options(html, "regency_code") == ["35.16", "35.76", "35.78"]
    assert "Jl. Majapahit No. 5" in html  # what was typed stays
    html = client.post(
        "/account/addresses/new",
        data={
            **TYPED,
            "province_code": "35",
            "regency_code": "35.76",
            "district_code": "35.76.03",
            "village_code": "35.76.03.1002",
            "choose_region": "1",
        },
    ).get_data(as_text=True)
    assert _options(html, "district_code") == ["35.76.03", "35.76.02", "35.76.01"]
    assert 'value="61322"' in html  # Miji's postcode, prefilled
    assert db.session.scalars(select(Address)).first() is None


def test_a_link_may_start_the_lists_from_a_region(client: FlaskClient, regions: None) -> None:
    UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    html = client.get("/account/addresses/new?province=35&regency=35.78").get_data(as_text=True)
    assert _options(html, "district_code") == ["35.78.07"]


def test_the_address_is_saved_with_the_names_of_its_regions(
    client: FlaskClient, regions: None
) -> None:
    user = UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    response = client.post(
        "/account/addresses/new",
        data={
            **TYPED,
            "province_code": "35",
            "regency_code": "35.78",
            "district_code": "35.78.07",
            "village_code": "35.78.07.1004",
            "postal_code": "60272",
        },
    )
    assert response.status_code == 302
    [address] = db.session.scalars(select(Address).where(Address.user_id == user.id))
    assert (address.province_code, address.village_code) == ("35", "35.78.07.1004")
    assert address.one_line() == (
        "Jl. Majapahit No. 5, Ketabang, Genteng, Kota Surabaya, Jawa Timur 60272"
    )


def test_a_village_not_under_the_chosen_district_is_refused(
    client: FlaskClient, regions: None
) -> None:
    UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    response = client.post(
        "/account/addresses/new",
        data={
            **TYPED,
            "province_code": "35",
            "regency_code": "35.76",
            "district_code": "35.76.01",
            "village_code": "35.78.07.1004",
            "postal_code": "60272",
        },
    )
    assert response.status_code == 400
    assert "Pilih kelurahan/desa dari daftar." in response.get_data(as_text=True)
    assert db.session.scalars(select(Address)).first() is None


def test_the_postcode_stays_editable_and_must_have_five_digits(
    client: FlaskClient, regions: None
) -> None:
    user = UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    chosen = {
        **TYPED,
        "province_code": "35",
        "regency_code": "35.76",
        "district_code": "35.76.02",
        "village_code": "35.76.02.1009",
    }
    refused = client.post("/account/addresses/new", data={**chosen, "postal_code": "6131a"})
    assert refused.status_code == 400
    assert (
        client.post("/account/addresses/new", data={**chosen, "postal_code": "61399"}).status_code
        == 302
    )
    [address] = db.session.scalars(select(Address).where(Address.user_id == user.id))
    assert address.postal_code == "61399"


def test_search_answers_by_prefix_under_the_parent(client: FlaskClient, regions: None) -> None:
    body = client.get("/regions/search?parent=35.76.02&q=ke").get_json()
    assert body == {
        "regions": [{"code": "35.76.02.1009", "name": "Kedundung", "postal_code": "61316"}]
    }
    regencies = client.get("/regions/search?parent=35&q=kota%20mo").get_json()["regions"]
    assert [r["code"] for r in regencies] == ["35.76"]
    provinces = client.get("/regions/search?q=ja").get_json()["regions"]
    assert [r["name"] for r in provinces] == ["Jawa Timur"]
    children = client.get("/regions/search?parent=35.76").get_json()["regions"]
    assert [r["name"] for r in children] == ["Kranggan", "Magersari", "Prajuritkulon"]
    assert client.get("/regions/search?parent=35&q=%25").get_json()["regions"] != []
    assert client.get("/regions/search?parent=99.99").status_code == 404
    assert client.get("/regions/search?parent=x';--").status_code == 404


def test_older_addresses_are_matched_where_their_text_allows(
    app_ctx: object, regions: None
) -> None:
    old = {"province_code": None, "regency_code": None, "district_code": None, "village_code": None}
    spaced = AddressFactory(
        **old, kelurahan="Gunung Gedangan", kecamatan="Magersari", city="Kota Mojokerto"
    )
    unknown = AddressFactory(**old, kelurahan="Entah", kecamatan="Magersari")
    elsewhere = AddressFactory(**old, city="Kabupaten Mojokerto")
    assert match_saved_addresses() == (1, 2)
    assert spaced.village_code == "35.76.02.1001"
    assert spaced.kelurahan == "Gununggedangan"
    assert unknown.village_code is None and unknown.kelurahan == "Entah"
    assert elsewhere.village_code is None


def test_an_older_address_is_asked_again_on_its_form(client: FlaskClient, regions: None) -> None:
    user = UserFactory(email="budi@example.test")
    old = AddressFactory(user=user, village_code=None, district_code=None)
    login(client, "budi@example.test")
    html = client.get(f"/account/addresses/{old.id}/edit").get_data(as_text=True)
    assert "Pilih ulang provinsi" in html
    assert db.session.get(Region, "35") is not None


def test_the_form_speaks_both_languages(client: FlaskClient, regions: None) -> None:
    user = UserFactory(email="budi@example.test")
    old = AddressFactory(user=user, village_code=None)
    login(client, "budi@example.test")
    indonesian = client.get(f"/account/addresses/{old.id}/edit").get_data(as_text=True)
    assert "Tampilkan pilihan wilayah" in indonesian
    assert "Pilih dari atas ke bawah; ketik untuk mencari." in indonesian
    english = client.get(f"/account/addresses/{old.id}/edit?lang=en").get_data(as_text=True)
    assert "Show the region choices" in english
    assert "Choose its province, city/regency, district and village again." in english
    assert 'data-region-count="{n} choices."' in english
    refused = client.post(
        f"/account/addresses/{old.id}/edit?lang=en",
        data={**TYPED, "province_code": "35", "postal_code": "61316"},
    )
    assert refused.status_code == 400
    assert "Choose the village from the list." in refused.get_data(as_text=True)


def test_editing_an_older_address_gives_it_its_codes(client: FlaskClient, regions: None) -> None:
    user = UserFactory(email="budi@example.test")
    old = AddressFactory(
        user=user,
        province_code=None,
        regency_code=None,
        district_code=None,
        village_code=None,
        kelurahan="Kedundung Lama",
    )
    login(client, "budi@example.test")
    response = client.post(
        f"/account/addresses/{old.id}/edit?next=/checkout",
        data={
            **TYPED,
            "province_code": "35",
            "regency_code": "35.76",
            "district_code": "35.76.02",
            "village_code": "35.76.02.1009",
            "postal_code": "61316",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/checkout"
    db.session.refresh(old)
    assert (old.village_code, old.kelurahan, old.has_region) == ("35.76.02.1009", "Kedundung", True)

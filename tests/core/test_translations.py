"""The English catalogue is complete, keeps every placeholder, and is what the app serves.

Indonesian strings are the msgids, so Indonesian needs no catalogue; English must translate every
string the code and templates use. When a test here fails after you added or changed a string, run
``scripts/translations.sh extract``, translate the new entries in
``marketplace/translations/en/LC_MESSAGES/messages.po`` and commit both files.

No database: the app is built directly with ``create_app``, never through the ``app`` fixture.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import get_babel, gettext, lazy_gettext

import marketplace
from marketplace import PROJECT_ROOT, create_app
from marketplace.catalogue.models import ProductStatus
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.labels import LabelledEnum
from marketplace.orders.models import VendorOrderStatus

BABEL_CFG = PROJECT_ROOT / "babel.cfg"
SCRIPT = PROJECT_ROOT / "scripts" / "translations.sh"
EN_PO = PROJECT_ROOT / "marketplace" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
HOW_TO_FIX = (
    "Run `scripts/translations.sh extract`, translate the new entries in "
    "marketplace/translations/en/LC_MESSAGES/messages.po (no empty or fuzzy msgstr), and commit "
    "both it and messages.pot."
)

#: printf-style named placeholders: %(name)s, %(n)d, %(price).2f ...
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

MessageKey = tuple[str | None, str]  # (context, singular msgid)


def _extra_keywords() -> dict[str, object]:
    """The ``-k`` keywords the script passes to pybabel, so test and script cannot drift apart."""
    specs = re.findall(r"-k\s+(\S+)", SCRIPT.read_text(encoding="utf-8"))
    assert specs, f"no -k keywords found in {SCRIPT}"
    return dict(parse_keywords(specs))


def _key(message_id: str | tuple[str, ...], context: str | None) -> MessageKey:
    return context, message_id if isinstance(message_id, str) else message_id[0]


def _extract() -> dict[MessageKey, list[str]]:
    """What ``pybabel extract -F babel.cfg .`` finds, keyed by msgid, with where it was found."""
    with BABEL_CFG.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, filename=str(BABEL_CFG))
    keywords = {**DEFAULT_KEYWORDS, **_extra_keywords()}
    found: dict[MessageKey, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=keywords
    ):
        found.setdefault(_key(message, context), []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def en_catalog() -> Catalog:
    with EN_PO.open("rb") as fileobj:
        return read_po(fileobj, locale="en")


def _entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and bool(strings) and all(s and s.strip() for s in strings)


def test_every_extracted_message_is_translated_into_english(en_catalog: Catalog) -> None:
    extracted = _extract()
    assert extracted, "extraction found no messages: check babel.cfg"
    catalogue = {_key(m.id, m.context): m for m in _entries(en_catalog)}

    problems = []
    for key, places in sorted(extracted.items(), key=lambda item: item[1][0]):
        message = catalogue.get(key)
        if message is None:
            problems.append(f"  missing:      {key[1]!r} ({places[0]})")
        elif message.fuzzy:
            problems.append(f"  fuzzy:        {key[1]!r} ({places[0]})")
        elif not _translated(message):
            problems.append(f"  untranslated: {key[1]!r} ({places[0]})")
    assert not problems, (
        f"{len(problems)} message(s) lack an English translation:\n"
        + "\n".join(problems)
        + "\n"
        + HOW_TO_FIX
    )


def test_catalogue_has_no_fuzzy_or_empty_entries(en_catalog: Catalog) -> None:
    assert not en_catalog.fuzzy, f"{EN_PO} is marked fuzzy in its header; compile would skip it"
    bad = [repr(_key(m.id, m.context)[1]) for m in _entries(en_catalog) if not _translated(m)]
    assert not bad, "fuzzy or empty entries in the en catalogue:\n  " + "\n  ".join(bad)


def test_translations_keep_exactly_the_placeholders_of_the_msgid(en_catalog: Catalog) -> None:
    wrong = []
    for message in _entries(en_catalog):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != expected:
                wrong.append(f"  {ids[0]!r} -> {string!r}")
    assert not wrong, (
        "translations whose %(...)s / %(...)d placeholders differ from the msgid's:\n"
        + "\n".join(wrong)
    )


@pytest.fixture
def app_with_compiled_catalogue(en_catalog: Catalog, tmp_path: Path) -> Iterator[Flask]:
    """The app reading an .mo compiled from the .po just now, not one left in the tree."""
    translations = tmp_path / "translations"
    mo_file = translations / "en" / "LC_MESSAGES" / "messages.mo"
    mo_file.parent.mkdir(parents=True)
    with mo_file.open("wb") as fileobj:
        write_mo(fileobj, en_catalog)
    app = create_app(
        "testing",
        {
            "BABEL_TRANSLATION_DIRECTORIES": str(translations),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        },
    )
    # Flask-Babel 4 caches loaded catalogues by locale alone, on the process-wide ``babel``
    # object, whatever the app or its translation directories: start with an empty cache so this
    # app really loads the .mo above, and leave the cache as it was found.
    with app.app_context():
        cache = get_babel().instance.domain_instance.cache
    saved = dict(cache)
    cache.clear()
    try:
        yield app
    finally:
        cache.clear()
        cache.update(saved)


def test_compiled_catalogue_translates_in_the_app(app_with_compiled_catalogue: Flask) -> None:
    app = app_with_compiled_catalogue
    with app.test_request_context("/?lang=en"):
        assert gettext("Masuk") == "Log in"
        assert gettext("Keluar") == "Log out"
        assert gettext("Selamat datang, %(name)s.", name="Siti") == "Welcome, Siti."
        assert str(lazy_gettext("Silakan masuk untuk melanjutkan.")) == "Please log in to continue."

    with app.test_request_context("/?lang=id"):
        assert gettext("Masuk") == "Masuk"


def _labelled_enums() -> list[type[LabelledEnum]]:
    """Every `LabelledEnum` in the package: each module imported, then the subclasses walked."""
    for module in pkgutil.walk_packages(marketplace.__path__, "marketplace."):
        importlib.import_module(module.name)
    found: list[type[LabelledEnum]] = []
    todo = [LabelledEnum]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.append(subclass)
            todo.append(subclass)
    return found


def test_every_labelled_enum_member_has_a_label_in_both_languages(
    app_with_compiled_catalogue: Flask, en_catalog: Catalog
) -> None:
    """A label is the Indonesian msgid and its English translation: they differ, or the catalogue
    says explicitly that English keeps the word. Within one enum no two members read the same."""
    app = app_with_compiled_catalogue
    enums = _labelled_enums()
    assert {VendorOrderStatus, ProductStatus, CooperativeStatus} <= set(enums)
    catalogue = {m.id: m for m in _entries(en_catalog) if m.context is None}

    problems = []
    for enum_class in enums:
        labels: dict[str, list[str]] = {}
        for locale in ("id", "en"):
            with app.test_request_context(f"/?lang={locale}"):
                labels[locale] = [member.label for member in enum_class]
        for member, indonesian, english in zip(enum_class, labels["id"], labels["en"], strict=True):
            message = catalogue.get(indonesian)
            if message is None or not _translated(message):
                problems.append(f"  {member!r}: {indonesian!r} has no English translation")
            elif english != message.string:
                problems.append(f"  {member!r}: {english!r} is not its translation")
        for locale, words in labels.items():
            if len(set(words)) != len(words):
                problems.append(f"  {enum_class.__name__} ({locale}): two members read the same")
    assert not problems, "labelled enums lacking a label:\n" + "\n".join(problems)


def test_procurement_labels_read_in_the_readers_language(
    app_with_compiled_catalogue: Flask,
) -> None:
    """The agency role choices, an actor holding a role and a timeline line are read when used,
    in the reader's language, not when the module was imported."""
    from marketplace.admin.forms import AgencyMemberForm
    from marketplace.procurement.models import (
        Actor,
        OrderStatus,
        ProcurementEvent,
        ProcurementRole,
        Subject,
    )
    from marketplace.procurement.worklist import event_label

    app = app_with_compiled_catalogue
    with app.test_request_context("/?lang=en"):
        roles = [choice.label for choice in AgencyMemberForm(meta={"csrf": False}).role.choices]
        assert roles == [role.label for role in ProcurementRole]
        assert roles[1] == "PPK (Commitment Officer)"
        assert Actor.PPK.label == ProcurementRole.PPK.label != "PPK (Pejabat Pembuat Komitmen)"

        moved = ProcurementEvent(
            subject=Subject.PURCHASE_ORDER,
            reference="SP-1",
            from_status="issued",
            to_status="accepted",
        )
        assert (
            event_label(moved)
            == f"{Subject.PURCHASE_ORDER.label} SP-1: {OrderStatus.ACCEPTED.label}"
        )
        assert event_label(moved) != "Surat Pesanan SP-1: Diterima koperasi"
        retired = ProcurementEvent(
            subject=Subject.PURCHASE_ORDER, reference="SP-1", from_status="issued", to_status="gone"
        )
        assert event_label(retired) == f"{Subject.PURCHASE_ORDER.label} SP-1: gone"

    with app.test_request_context("/?lang=id"):
        roles = [choice.label for choice in AgencyMemberForm(meta={"csrf": False}).role.choices]
        assert roles[0] == "Pejabat Pengadaan"
        assert Actor.PPK.label == "PPK (Pejabat Pembuat Komitmen)"

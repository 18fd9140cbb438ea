"""On a phone every form brings up the right keyboard: the number pad for money and quantities,
the phone pad for phone numbers, the email keyboard for emails. Walks every form of the app (and
the forms built per page), every field class that holds a number, and the inputs the templates
write by hand."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from wtforms import DecimalField, Field, FloatField, IntegerField

import marketplace

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: Names of fields that hold money or a quantity (prices, fees, totals, stock, years...).
MONEY_OR_QUANTITY = re.compile(
    r"price|amount|quantity|qty|fee|total|ceiling|budget|stock|threshold|weight|year|accepted_"
)
PHONE = re.compile(r"phone|whatsapp|telepon")
EMAIL = re.compile(r"email")
NUMERIC_KEYBOARD = re.compile(r'\binputmode="(numeric|decimal)"')
TEXT_LIKE = re.compile(r'<input\b(?![^>]*\btype="(hidden|checkbox|radio|file|submit|date)")')


def import_every_module() -> None:
    for module in pkgutil.walk_packages(marketplace.__path__, "marketplace."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "fields"}:
            importlib.import_module(module.name)


def subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def app_forms() -> list[type[FlaskForm]]:
    import_every_module()
    return sorted(
        {c for c in subclasses(FlaskForm) if c.__module__.startswith("marketplace.")},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def built_forms() -> list[FlaskForm]:
    """The forms built for a page's objects (prices per request line, quantities per line)."""
    from marketplace.orders.forms import checkout_form
    from marketplace.procurement.forms import delivery_form, inspection_form, prices_form

    line = SimpleNamespace(id=7, name="Keripik", quantity=10, unit="pak")
    delivered = SimpleNamespace(id=8, quantity=10, order_line=line)
    return [
        prices_form([line], {}, offer=True, meta={"csrf": False}),
        prices_form([line], {}, offer=False, meta={"csrf": False}),
        delivery_form([(line, 5)], meta={"csrf": False}),
        inspection_form([delivered], meta={"csrf": False}),
        checkout_form([], [], [], meta={"csrf": False}),
    ]


def holds_a_number(field: Field) -> bool:
    return (
        isinstance(field, IntegerField | DecimalField | FloatField)
        or "Rupiah" in type(field).__name__
    )


def keyboard_problems(form: FlaskForm, where: str) -> list[str]:
    problems = []
    for field in form:
        html = str(field())
        if not TEXT_LIKE.match(html):
            continue
        name = field.name.lower()
        if (holds_a_number(field) or MONEY_OR_QUANTITY.search(name)) and not (
            NUMERIC_KEYBOARD.search(html)
        ):
            problems.append(f"{where}.{field.name}: no numeric inputmode: {html}")
        if PHONE.search(name) and 'type="tel"' not in html:
            problems.append(f"{where}.{field.name}: a phone number without type=tel: {html}")
        if EMAIL.search(name) and 'type="email"' not in html:
            problems.append(f"{where}.{field.name}: an email without type=email: {html}")
    return problems


@pytest.fixture
def request_ctx(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


@pytest.mark.usefixtures("request_ctx")
def test_every_form_brings_up_the_right_keyboard() -> None:
    forms = app_forms()
    assert len(forms) > 40, "the walk finds the app's forms"
    problems = []
    for form_class in forms:
        form = form_class(formdata=None, meta={"csrf": False})
        problems += keyboard_problems(form, f"{form_class.__module__}.{form_class.__name__}")
    for form in built_forms():
        problems += keyboard_problems(form, type(form).__name__)
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("request_ctx")
def test_every_field_class_that_holds_a_number_shows_the_number_pad() -> None:
    import_every_module()
    classes = {
        c
        for base in (IntegerField, DecimalField, FloatField, Field)
        for c in subclasses(base)
        if c.__module__.startswith("marketplace.")
        and (issubclass(c, IntegerField | DecimalField | FloatField) or "Rupiah" in c.__name__)
    }
    assert {c.__name__ for c in classes} >= {"WholeNumberField", "RupiahField"}
    for cls in classes:
        form_class = type("Probe", (FlaskForm,), {"value": cls("Nilai")})
        html = str(form_class(formdata=None, meta={"csrf": False}).value())
        assert NUMERIC_KEYBOARD.search(html), f"{cls.__module__}.{cls.__name__}: {html}"


def hand_written_inputs() -> Iterator[tuple[str, str]]:
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in re.findall(r"<input\b[^>]*>", path.read_text(encoding="utf-8")):
            yield str(path.relative_to(TEMPLATES)), tag


def test_inputs_written_in_the_templates_bring_up_the_right_keyboard() -> None:
    problems = []
    for where, tag in hand_written_inputs():
        if not TEXT_LIKE.match(tag):
            continue
        found = re.search(r'\bname="([^"]*)"', tag)
        name = found.group(1).lower() if found else ""
        if MONEY_OR_QUANTITY.search(name) and not NUMERIC_KEYBOARD.search(tag):
            problems.append(f"{where}: {tag}")
        if PHONE.search(name) and 'type="tel"' not in tag:
            problems.append(f"{where}: {tag}")
        if EMAIL.search(name) and 'type="email"' not in tag:
            problems.append(f"{where}: {tag}")
    assert not problems, "\n".join(problems)


def test_a_form_or_template_may_still_choose_its_own_attributes(app: Any) -> None:
    from marketplace.fields import PhoneField, WholeNumberField

    with app.test_request_context():
        form_class = type(
            "Probe",
            (FlaskForm,),
            {
                "count": WholeNumberField("Jumlah", render_kw={"autocomplete": "off"}),
                "phone": PhoneField("Nomor HP"),
            },
        )
        form = form_class(formdata=None, meta={"csrf": False})
        count = str(form.count())
        assert 'inputmode="numeric"' in count and 'autocomplete="off"' in count
        phone = str(form.phone(autocomplete="off"))
        assert 'type="tel"' in phone and 'autocomplete="off"' in phone

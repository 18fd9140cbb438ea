"""factory_boy factories for the core models (split by domain as they grow)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from marketplace.accounts.models import Address, User
from marketplace.accounts.passwords import hash_password
from marketplace.catalogue.models import (
    Category,
    PriceTier,
    Product,
    ProductStatus,
    ProductVariant,
)
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeMember,
    CooperativeStatus,
    MemberRole,
)
from marketplace.extensions import db
from marketplace.procurement.models import Agency, AgencyMember, ProcurementRole

PASSWORD = "password123"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run.
    return hash_password(PASSWORD)


def registration(
    full_name: str = "Siti Aminah",
    email: str = "siti@example.test",
    password: str = "kopi-susu-enak",
    **overrides: str,
) -> dict[str, str]:
    """The registration form as a new shopper fills it in (the password typed twice, the terms
    accepted); any field can be overridden."""
    data = {
        "full_name": full_name,
        "email": email,
        "password": password,
        "confirm": password,
        "accept_terms": "y",
    }
    data.update(overrides)
    return data


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="id_ID")
    password_hash = factory.LazyFunction(_password_hash)
    email_verified_at = factory.LazyFunction(lambda: datetime.now(UTC))
    locale = "id"
    is_city_admin = False


class AddressFactory(BaseFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    label = "Rumah"
    recipient_name = "Penerima Uji"
    phone = "081234567890"
    street = "Jl. Mawar No. 1"
    kelurahan = "Kedundung"
    kecamatan = "Magersari"
    city = "Kota Mojokerto"
    province = "Jawa Timur"
    postal_code = "61316"
    is_default = True
    province_code = "35"
    regency_code = "35.76"
    district_code = "35.76.02"
    village_code = "35.76.02.1009"


class CooperativeFactory(BaseFactory):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"Koppontren Uji {n}")
    slug = factory.Sequence(lambda n: f"koppontren-uji-{n}")
    kind = "koppontren"
    pesantren_name = factory.Sequence(lambda n: f"Pondok Pesantren Uji {n}")
    description = "Koperasi untuk pengujian."
    kecamatan = "Magersari"
    kelurahan = "Gedongan"
    address = "Jl. Uji No. 1"
    postal_code = "61315"
    whatsapp = "6281234567890"
    nib = "1234567890123"
    npwp = "0123456789012345"
    is_pkp = False
    bank_name = "Bank Jatim"
    bank_account_number = "0011223344"
    bank_account_holder = factory.SelfAttribute("name")
    local_delivery_fee = 10000
    status = CooperativeStatus.APPROVED


class CooperativeMemberFactory(BaseFactory):
    class Meta:
        model = CooperativeMember

    cooperative = factory.SubFactory(CooperativeFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.OWNER


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"kategori-{n}")
    name = factory.Sequence(lambda n: f"Kategori {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(BaseFactory):
    class Meta:
        model = Product

    cooperative = factory.SubFactory(CooperativeFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Keripik Uji {n}")
    slug = factory.Sequence(lambda n: f"keripik-uji-{n}")
    description = "Keripik renyah untuk pengujian."
    unit = "bungkus"
    weight_grams = 100
    min_order_qty = 1
    status = ProductStatus.ACTIVE


class VariantFactory(BaseFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    cooperative_id = factory.LazyAttribute(lambda o: o.product.cooperative_id)
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = ""
    options: Any = factory.LazyFunction(dict)
    price = 10000
    on_hand = 0
    reserved = 0


class PriceTierFactory(BaseFactory):
    class Meta:
        model = PriceTier

    variant = factory.SubFactory(VariantFactory)
    min_quantity = 10
    unit_price = 9000


class AgencyFactory(BaseFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    slug = factory.Sequence(lambda n: f"dinas-uji-{n}")


class AgencyMemberFactory(BaseFactory):
    class Meta:
        model = AgencyMember

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)
    role = ProcurementRole.PEJABAT_PENGADAAN

"""Where a part goes and how: the shipping address (its regions chosen from the list), and
what each cooperative offers to it: pickup, local delivery inside the city, and the courier
services the rates provider lists for the address's kecamatan (`marketplace.shipping`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from flask import current_app
from flask_babel import gettext as _

from marketplace import i18n
from marketplace.accounts.models import Address, address_line
from marketplace.cart.services import CartView
from marketplace.cooperatives.models import Cooperative
from marketplace.orders.models import DeliveryMethod
from marketplace.regions import services as regions
from marketplace.shipping import services as shipping
from marketplace.shipping.rates import CourierRate


@dataclass
class ShippingAddress:
    recipient_name: str
    phone: str
    street: str
    kelurahan: str
    kecamatan: str
    city: str
    province: str
    postal_code: str
    #: Kemendagri codes of the regions named above ("" for none): courier rates need the
    #: kecamatan's.
    province_code: str = ""
    regency_code: str = ""
    district_code: str = ""
    village_code: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_saved(cls, address: Address) -> ShippingAddress:
        return cls(**{name: getattr(address, name) or "" for name in cls.__dataclass_fields__})

    def for_order(self) -> dict[str, str | None]:
        """The order's copy: a region code not known is stored as none."""
        return {k: (v or None) if k.endswith("_code") else v for k, v in self.as_dict().items()}

    def one_line(self) -> str:
        return address_line(
            self.street,
            self.kelurahan,
            self.kecamatan,
            self.city,
            self.province,
            self.postal_code,
        )


def address_in_village(
    recipient_name: str, phone: str, street: str, postal_code: str, village_code: str
) -> ShippingAddress | None:
    """A new address typed at checkout, its regions named from the village chosen; None when
    the code is no village of the list."""
    path = regions.path_of(village_code)
    if path is None:
        return None
    return ShippingAddress(
        recipient_name=recipient_name,
        phone=phone,
        street=street,
        kelurahan=path.village.name,
        kecamatan=path.district.name,
        city=path.regency.name,
        province=path.province.name,
        postal_code=postal_code,
        province_code=path.province.code,
        regency_code=path.regency.code,
        district_code=path.district.code,
        village_code=path.village.code,
    )


#: How a courier choice is named in the form and the session: this, then the service's code.
COURIER_CHOICE = "courier:"


@dataclass(frozen=True)
class DeliveryOption:
    method: DeliveryMethod
    fee: int
    #: The courier service (name, price, ETA), for a courier option.
    rate: CourierRate | None = None

    @property
    def key(self) -> str:
        """What the shopper's choice names: the method, or the courier service's code."""
        return COURIER_CHOICE + self.rate.code if self.rate else str(self.method)


@dataclass(frozen=True)
class PartDelivery:
    """What one cooperative offers for its part, and what the shopper should know about it."""

    options: list[DeliveryOption]
    #: Why no courier service is listed, or that the rates are the fallback's; None: all well.
    notice: str | None = None


def delivery_options(
    cooperative: Cooperative,
    weight_grams: int,
    address: ShippingAddress | None,
    items_total: int = 0,
) -> PartDelivery:
    """What this cooperative offers for a parcel of this weight to this address: pickup, local
    delivery, and each courier service the rates provider lists for the address's kecamatan
    (`marketplace.shipping`); no courier service before an address with its region is chosen."""
    options = []
    if cooperative.offers_pickup:
        options.append(DeliveryOption(DeliveryMethod.PICKUP, 0))
    if cooperative.offers_local_delivery:
        options.append(
            DeliveryOption(DeliveryMethod.LOCAL_DELIVERY, cooperative.local_delivery_fee)
        )
    if not cooperative.offers_courier:
        return PartDelivery(options)
    if address is None or not address.district_code:
        return PartDelivery(
            options,
            _("Pilih alamat dengan wilayah dari daftar untuk melihat layanan dan ongkos kurir."),
        )
    quote = shipping.courier_rates(
        cooperative, address.district_code, address.postal_code, weight_grams
    )
    couriers = [DeliveryOption(DeliveryMethod.COURIER, r.price, r) for r in quote.rates]
    minimum = cooperative.free_courier_minimum
    free = minimum is not None and items_total >= minimum
    if free and couriers:
        # The cheapest service is on the cooperative; the others keep their price.
        cheapest = min(couriers, key=lambda o: o.fee)
        couriers = [replace(o, fee=0) if o is cheapest else o for o in couriers]
    options.extend(couriers)
    if not quote.rates:
        return PartDelivery(
            options,
            _(
                "Belum ada layanan kurir %(name)s ke alamat ini untuk paket seberat %(weight)s.",
                name=cooperative.name,
                weight=i18n.weight(weight_grams),
            ),
        )
    if minimum is not None and not free:
        return PartDelivery(
            options,
            quote.notice
            or _(
                "Belanja %(more)s lagi dari %(name)s untuk gratis ongkir kurir.",
                more=i18n.rupiah(minimum - items_total),
                name=cooperative.name,
            ),
        )
    return PartDelivery(options, quote.notice)


def _normalized(city: str) -> str:
    return " ".join(city.casefold().split())


def is_local_address(city: str) -> bool:
    """Local delivery reaches only ``LOCAL_DELIVERY_CITY`` (Kota Mojokerto, not the Kabupaten)."""
    return _normalized(city) == _normalized(current_app.config["LOCAL_DELIVERY_CITY"])


def delivery_for(view: CartView, address: ShippingAddress | None) -> dict[int, PartDelivery]:
    """Each cooperative's delivery options for its part of the cart, to this address."""
    return {
        group.cooperative.id: delivery_options(
            group.cooperative, group.weight_grams, address, group.subtotal
        )
        for group in view.groups
    }


def courier_service_label(rate: CourierRate) -> str:
    """How a courier service reads on checkout, the summary and the order: name, service, ETA."""
    label = f"{rate.courier_name} {rate.service_name}"
    return _("%(service)s (%(eta)s)", service=label, eta=rate.eta) if rate.eta else label

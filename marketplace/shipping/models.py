"""Each cooperative's own courier table: a fee per destination zone and weight band."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import in_check, money_column
from marketplace.extensions import Model
from marketplace.shipping.zones import Zone


class CourierZoneRate(Model):
    """The cooperative's courier fee for a parcel up to ``max_weight_grams`` to a destination in
    ``zone``. A parcel heavier than every band of its zone cannot go by courier there."""

    __tablename__ = "courier_zone_rates"
    __table_args__ = (
        UniqueConstraint(
            "cooperative_id", "zone", "max_weight_grams", name="uq_courier_zone_rates_band"
        ),
        CheckConstraint(in_check(Zone, "zone"), name="zone"),
        CheckConstraint("max_weight_grams > 0", name="max_weight_positive"),
        CheckConstraint("fee >= 0", name="fee_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    zone: Mapped[str] = mapped_column(String(20))
    max_weight_grams: Mapped[int]
    fee: Mapped[int] = money_column()

    @property
    def zone_label(self) -> str:
        return Zone(self.zone).label

"""Courier rates behind one seam (issue 22).

`rates.py` is the seam: a `ShippingRates` provider answers, for one parcel from a cooperative to
a destination, the courier services it offers (`CourierRate`: courier, service, price, ETA).
Two providers stand behind it:

* `table.ZoneTable`, the embedded default: each cooperative's own rate table, by destination
  zone (`zones.py`: the same kecamatan as the cooperative, the same city, East Java, Java,
  outside Java) and weight band, edited in the cooperative's workspace;
* `biteship.Biteship`, Biteship's courier-rates API (off unless BITESHIP_API_KEY is set), with
  a timeout and a cache.

`services.courier_rates` picks the provider and falls back to the table, saying so, when
Biteship fails or does not answer in time. Checkout (`marketplace.orders.delivery`) lists these
services for the address chosen and refuses one not listed for it.
"""

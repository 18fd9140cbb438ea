"""The procurement settings config.py ships, for the pure tests (no app, no database)."""

from __future__ import annotations

from config import Config
from marketplace.procurement.settings import ProcurementSettings


def config_defaults() -> dict[str, object]:
    """The ``PROCUREMENT_*`` values of config.py, as the Flask config would hold them."""
    return {name: getattr(Config, name) for name in dir(Config) if name.startswith("PROCUREMENT_")}


#: The shipped settings: every test of the rules runs on the numbers production uses.
DEFAULTS = ProcurementSettings.from_mapping(config_defaults())

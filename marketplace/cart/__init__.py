"""cart (the package fills in as the feature lands)."""

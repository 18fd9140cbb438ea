"""Ratings and reviews from verified buyers: a shopper rates each line of a completed part, the
cooperative answers once, the city hides what breaks the rules (issue 21)."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from marketplace.reviews import routes  # noqa: E402,F401

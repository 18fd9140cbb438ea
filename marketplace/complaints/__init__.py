"""Complaints and returns (komplain): a shopper's complaint about a delivered part, the
cooperative's answer, goods sent back, the city's final decision (issue 21)."""

from flask import Blueprint

from marketplace.jobs import periodic

bp = Blueprint("complaints", __name__)

# An open complaint the cooperative did not answer in time goes to the city (jobs.py).
periodic("complaints.escalate", "marketplace.complaints.services:escalate_lapsed", 900)

from marketplace.complaints import routes  # noqa: E402,F401

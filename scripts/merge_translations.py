"""Resolve a merge conflict in the English catalogue.

    python scripts/merge_translations.py

Takes the translations of both sides of the conflict (git's stages 2 and 3), starts from our
side, re-extracts the messages and fills every entry either side had translated. What neither
side translated stays empty, and tests/core/test_translations.py says so.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = "marketplace/translations/en/LC_MESSAGES/messages.po"
POT = "marketplace/translations/messages.pot"


def _stage(stage: int, path: str) -> bytes:
    return subprocess.run(
        ["git", "show", f":{stage}:{path}"], cwd=ROOT, check=True, capture_output=True
    ).stdout


def main() -> int:
    translations: dict[object, object] = {}
    for stage in (3, 2):  # ours last, so our wording wins where both translated
        for message in read_po(io.BytesIO(_stage(stage, PO))):
            if (
                message.id
                and message.string
                and (not isinstance(message.string, tuple) or all(message.string))
            ):
                translations[message.id] = message.string
    (ROOT / PO).write_bytes(_stage(2, PO))
    (ROOT / POT).write_bytes(_stage(2, POT))
    subprocess.run(
        ["sh", "scripts/translations.sh", "extract"], cwd=ROOT, check=True, capture_output=True
    )
    with (ROOT / PO).open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id in translations:
            message.string = translations[message.id]
        elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(message.id)
    with (ROOT / PO).open("wb") as handle:
        write_po(handle, catalog, width=76, sort_output=True, no_location=True)
    subprocess.run(["git", "add", PO, POT], cwd=ROOT, check=True)
    print(f"merged; untranslated: {missing}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

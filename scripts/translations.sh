#!/bin/sh
# Message catalogues for Pasar OPOP. Indonesian is the source language (the msgids) and needs no
# catalogue; English lives in marketplace/translations/en/LC_MESSAGES/messages.po.
#
#   scripts/translations.sh extract   re-extract messages.pot and update the en catalogue;
#                                     then translate every new (empty) msgstr in messages.po
#   scripts/translations.sh compile   compile the catalogues to .mo files
#
# Run from anywhere: it changes to the repository root first. PYBABEL overrides the pybabel used
# (default: the virtualenv's, .venv/bin/pybabel; a relative path is taken from the repository root).
set -eu

cd "$(dirname "$0")/.."

PYBABEL=${PYBABEL:-.venv/bin/pybabel}
TRANSLATIONS=marketplace/translations
POT=$TRANSLATIONS/messages.pot
LOCALES="en"
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -n 1)

usage() {
    cat <<USAGE
Usage: $0 extract|compile

  extract   extract messages from marketplace/ and templates/ into $POT
            and update the catalogues ($LOCALES) without fuzzy matching; new
            strings appear with an empty msgstr, ready to translate
  compile   compile $TRANSLATIONS/*/LC_MESSAGES/messages.po to .mo

Environment: PYBABEL (default .venv/bin/pybabel)
USAGE
}

need_pybabel() {
    if [ ! -x "$PYBABEL" ] && ! command -v "$PYBABEL" >/dev/null 2>&1; then
        echo "$0: pybabel not found at '$PYBABEL'; create the virtualenv or set PYBABEL." >&2
        exit 2
    fi
}

extract() {
    need_pybabel
    # "." with babel.cfg: its patterns are relative to the repository root. Babel skips
    # directories starting with "." or "_" (.venv, __pycache__).
    "$PYBABEL" extract -F babel.cfg \
        -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
        --no-location --sort-output \
        --project "Pasar OPOP" --version "${VERSION:-0}" --copyright-holder "Pasar OPOP" \
        -o "$POT" .
    for locale in $LOCALES; do
        po=$TRANSLATIONS/$locale/LC_MESSAGES/messages.po
        if [ -f "$po" ]; then
            "$PYBABEL" update -i "$POT" -d "$TRANSLATIONS" -l "$locale" \
                --no-fuzzy-matching --ignore-obsolete
        else
            "$PYBABEL" init -i "$POT" -d "$TRANSLATIONS" -l "$locale"
        fi
    done
}

compile() {
    need_pybabel
    "$PYBABEL" compile -d "$TRANSLATIONS" --statistics
}

if [ $# -ne 1 ]; then
    usage >&2
    exit 2
fi

case "$1" in
    extract) extract ;;
    compile) compile ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac

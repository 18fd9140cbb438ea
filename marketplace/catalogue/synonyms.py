"""Words that mean the same to shoppers: spelling variants and synonyms the city edits
("kripik"/"keripik", "jilbab"/"hijab", "sendal"/"sandal").

The list is a setting (`marketplace.settings`, audited): groups of words, each group's words
interchangeable. A search for one word of a group also finds products with any other word of
it, on both databases (`text_search.Backend.match`'s ``variants``).
"""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.database import split_words
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.settings import SEARCH_SYNONYMS, get_setting, set_setting

MAX_GROUPS = 300
MAX_WORDS_PER_GROUP = 12
MAX_WORD_LENGTH = 40  # as a search term (`search.MAX_TERM_LENGTH`)


class InvalidSynonyms(DomainError):
    """The list as typed cannot be saved; the message names the line."""


def groups() -> list[list[str]]:
    """The saved groups (the default's until the city saves its own)."""
    return [list(group) for group in get_setting(SEARCH_SYNONYMS)]


def variants_of(terms: list[str]) -> dict[str, list[str]]:
    """For each of ``terms`` in some group: the term first, then the rest of its groups'
    words. Terms in no group are left out."""
    found: dict[str, list[str]] = {}
    if not terms:
        return found
    for group in groups():
        for term in terms:
            if term in group:
                words = found.setdefault(term, [term])
                words.extend(word for word in group if word not in words)
    return found


def parse(text: str) -> list[list[str]]:
    """Groups from the form's text: a group per line, its words separated by commas or spaces,
    folded as the search folds them (lower case, no accents). A line must hold at least two
    different words, each letters and digits only."""
    parsed: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        pieces = line.replace(",", " ").split()
        if not pieces:
            continue
        words: list[str] = []
        for piece in pieces:
            folded = split_words(piece)
            if len(folded) != 1:
                raise InvalidSynonyms(
                    _('Baris %(line)d: "%(word)s" bukan satu kata.', line=number, word=piece)
                )
            if folded[0] not in words:
                words.append(folded[0])
        if len(words) < 2:
            raise InvalidSynonyms(
                _("Baris %(line)d: tulis paling sedikit dua kata berbeda.", line=number)
            )
        if len(words) > MAX_WORDS_PER_GROUP or any(len(w) > MAX_WORD_LENGTH for w in words):
            raise InvalidSynonyms(_("Baris %(line)d terlalu panjang.", line=number))
        parsed.append(words)
    if len(parsed) > MAX_GROUPS:
        raise InvalidSynonyms(_("Paling banyak %(count)d baris.", count=MAX_GROUPS))
    return parsed


def as_text(saved: list[list[str]]) -> str:
    """The groups as the form shows them: one per line."""
    return "\n".join(", ".join(group) for group in saved)


def save(actor: User, text: str) -> list[list[str]]:
    """Save the list typed by a city administrator; a wrong line raises `InvalidSynonyms` and
    nothing is saved."""
    if not actor.is_city_admin:
        raise PermissionDenied()
    parsed = parse(text)
    set_setting(SEARCH_SYNONYMS, parsed, actor.id)
    # Cached search pages were computed with the old list (`catalogue.cache` drops them).
    db.session.info["catalogue_changed"] = True
    return parsed

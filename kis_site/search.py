"""Search text that behaves the same on SQLite and PostgreSQL.

SQLite's LIKE does not fold Polish letters and PostgreSQL would need an ICU collation, so
searchable text is stored in a normalised column (lower case, no diacritics, ł → l) and queries
are normalised the same way.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    text = (text or "").lower().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", folded).strip()


# Polish alphabetical order: ą after a, ć after c, ł after l ... ż last.
_POLISH_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_DIGITS = "0123456789"


def _code(index: int) -> str:
    return chr(97 + index // 26) + chr(97 + index % 26)


_SORT_CODES = {
    char: _code(2 + position) for position, char in enumerate(_DIGITS + _POLISH_ALPHABET)
}


def polish_sort_key(text: str) -> str:
    """A key that sorts names in Polish alphabetical order under any database collation.

    Every character becomes two plain lower-case letters (its position in the Polish alphabet),
    so "Dąbrowska" sorts after "Dabrowski" and before "Dudek", and "Łukasz" after "Lucjan", the
    same on SQLite (binary) and PostgreSQL (whatever its locale). Spaces and other signs become
    "aa", before every letter; letters outside Polish fall back to their base letter.
    """
    key = []
    for char in (text or "").lower():
        code = _SORT_CODES.get(char)
        if code is None:
            base = normalise(char)
            code = _SORT_CODES.get(base[:1], "aa") if base else "aa"
        key.append(code)
    return "".join(key)

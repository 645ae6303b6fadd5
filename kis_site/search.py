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

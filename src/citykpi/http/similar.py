"""A city's similar cities, for the page and the API alike, with the comparison of every city kept.

Comparing one city with the others costs little; reading every city's latest visible results and
standardising them costs about a second for 150 cities, and it is the same for every city a reader
asks about until the data change. So that comparison is kept under `cache.data_key` (database,
data revision, read scope): a publication or an edit anywhere renews it, and the public never
shares one with a team that sees drafts.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from citykpi.http.cache import Memo, data_key
from citykpi.platform import similar
from citykpi.platform.roles import Principal
from citykpi.store.schema import City

COMPARED: Memo[similar.Compared] = Memo(16)


def similar_cities(session: Session, who: Principal, city: City) -> similar.Similarity:
    kept = COMPARED.get(data_key(session, who), lambda: similar.compared(session, who))
    return similar.similar_cities(session, who, city, kept)

"""How long a client must wait before trying a user name again, from that name's recent failed sign-ins.

A lock per user name after a few failures lets anyone lock anyone out, the administrator included.
Instead each client (address) that failed for a name waits, after its n-th failure, 2^(n-1)
seconds (1, 2, 4 ... up to the window) before its next try: guessing gets slow, a typo costs a
second. When a name collects `account_limit` failures in the window (an attack, perhaps from
many addresses), every client that failed for it waits the whole window, while a client that has not
failed for it still gets its try: the owner signs in from their own machine. Pure: the caller reads
the failures from the database (so the limit holds across workers and restarts) and passes the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Throttle:
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(seconds=1)
    account_limit: int = 5

    def wait(self, failures: Sequence[tuple[str, datetime]], client: str, now: datetime) -> timedelta | None:
        """What is left of `client`'s wait for this name, None when it may try now.

        `failures` are the name's failed sign-ins (client, time) since `now - window`, from every client.
        """
        mine = sorted(at for who, at in failures if who == client)
        if not mine:
            return None
        if len(failures) >= self.account_limit:
            until = mine[-1] + self.window
        else:
            until = mine[-1] + min(self.first_delay * 2 ** (len(mine) - 1), self.window)
        return until - now if until > now else None

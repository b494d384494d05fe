"""Django's database sessions, read with one SQL statement composed once.

The session is read on every request; through the ORM its query building cost about as much
CPU as the rest of the read (``tandem.rows``). Writes, expiry and clearing are Django's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


@dataclass(frozen=True)
class _Stored:
    session_data: str


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        using = router.db_for_read(Session)
        connection = connections[using]
        table = connection.ops.quote_name(Session._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return _Stored(session_data=row[0])

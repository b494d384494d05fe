"""Django's PostgreSQL backend, with inserts and deletes batched under the protocol's limit.

Tandem binds parameters on the server (``TANDEM_POSTGRES_PREPARED``), and PostgreSQL's
protocol carries at most 65,535 parameters in one statement; Django's backend sends a
``bulk_create`` of any size as one statement, which client-side binding allows. Batching as
Django does for SQLite keeps every bulk write under the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.postgresql import base, features, operations

# Parameters in one statement of PostgreSQL's extended protocol.
MAX_PARAMETERS = 65_535


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = MAX_PARAMETERS


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Sequence[Any], objs: Sequence[Any]) -> int:
        per_row = len(fields)
        if per_row <= 1:
            return MAX_PARAMETERS
        return MAX_PARAMETERS // per_row


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations

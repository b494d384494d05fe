"""The access chokepoint for data requests: administrators only; others get the same 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from tandem.privacy.services import access_log_refusal
from tandem.roster.access import is_administrator
from tandem.studentdata.models import DataRequest
from tandem.studentdata.selectors import data_requests_list


def access_data_request(*, user: Any, request_id: int, path: str = "") -> DataRequest:
    try:
        if not is_administrator(user):
            raise DataRequest.DoesNotExist
        return data_requests_list().get(pk=request_id)
    except (DataRequest.DoesNotExist, ValueError, TypeError):
        access_log_refusal(actor=user, requested_id=request_id, action="privacy:request", path=path)
        raise Http404("No such request.") from None

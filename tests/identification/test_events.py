"""The outbox keeps personal data out and must be written inside a transaction."""

from __future__ import annotations

import pytest

from varde.events.services import EventDataNotAllowed, event_emit


def test_event_data_is_ids_and_codes_only(cases):
    case = cases.police_child
    event = event_emit(kind="presumed_child", case=case, data={"presumption": "a1b2", "n": 3})
    assert event.data == {"presumption": "a1b2", "n": 3, "case": str(case.pk)}
    with pytest.raises(EventDataNotAllowed):
        event_emit(kind="presumed_child", case=case, data={"name": "Mihai Popescu"})
    with pytest.raises(EventDataNotAllowed):
        event_emit(kind="presumed_child", case=case, data={"person": {"name": "x"}})
    with pytest.raises(ValueError):
        event_emit(kind="no_such_kind", case=case)


@pytest.mark.django_db(transaction=True)
def test_event_emit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        event_emit(kind="presumed_child", case=None)

"""The person page: names, documents, phones, age facts and the person's cases the user may see."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from varde.access.cases import cases_of_person_visible_to, person_get_for_user
from varde.web.types import AuthedRequest


@require_GET
@login_required
def person_detail(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = person_get_for_user(user=request.user, person_id=person_id)
    cases = list(cases_of_person_visible_to(user=request.user, person=person))
    return render(
        request,
        "web/persons/detail.html",
        {
            "person": person,
            "names": list(person.names.all()),
            "documents": list(person.documents.all()),
            "phones": list(person.phones.all()),
            "age": person.age_on(),
            "is_child": person.is_presumed_child(),
            "cases": cases,
            "title_reference": cases[0].reference if cases else "",
        },
    )

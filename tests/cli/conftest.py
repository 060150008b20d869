from __future__ import annotations

from dataclasses import dataclass

import pytest

from varde.cli import main

HEADER = (
    "record_id,reporting_agency,referral_date,given_name,family_name,sex,date_of_birth,"
    "estimated_age,nationality,phone,id_document_number,municipality"
)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def varde(capsys):
    """Run the `varde` command in-process: varde("import", "x.csv", "--user", "police")."""

    def run(*argv: str) -> Result:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def write_csv(tmp_path):
    def write(*lines: str, name: str = "referrals.csv", header: str = HEADER) -> str:
        path = tmp_path / name
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def export_as(varde):
    """`varde export` for a user with a fresh export request approved by another person (four eyes):
    export_as("police", "--out", path). Each run uses up its own request."""
    from varde.accounts.models import User
    from varde.core import clock
    from varde.interchange.models import ExportRequest

    def run(username: str, *extra: str) -> Result:
        user = User.objects.filter(username=username).first()
        if user is None:
            return varde(
                "export", "--user", username, "--request", "00000000-0000-0000-0000-000000000000", *extra
            )
        approver = User.objects.exclude(pk=user.pk).filter(memberships__role="coordinator").first()
        assert approver is not None, "the personas need a coordinator to approve"
        request = ExportRequest.objects.create(
            requested_by=user,
            reason="Needed for the test",
            requested_at=clock.now(),
            approved_by=approver,
            approved_at=clock.now(),
        )
        return varde("export", "--user", username, "--request", str(request.pk), *extra)

    return run

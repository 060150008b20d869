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

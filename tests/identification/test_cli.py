"""`varde indicators list|show` and `varde assess`, through register() on a test parser. No database."""

from __future__ import annotations

import argparse
import json

import pytest

from varde.identification.cli import register


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="varde")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json(capsys):
    code, out, _ = run(["indicators", "list", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0
    assert set(rows[0]) == {"id", "version", "title", "population", "exploitation", "source"}
    by_id = {r["id"]: r for r in rows}
    assert by_id["ilo_child_sexual"]["population"] == "child"
    assert by_id["ilo_child_sexual"]["exploitation"] == "sexual"
    assert by_id["national_general"]["exploitation"] is None
    assert by_id["ilo_adult_labour"]["title"].startswith("ILO/EC")


def test_list_nb_and_text(capsys):
    code, out, _ = run(["indicators", "list", "--json", "--lang", "nb"], capsys)
    assert {r["id"]: r for r in json.loads(out)}["ilo_adult_labour"]["title"].startswith("ILO/EU")
    code, out, _ = run(["indicators", "list"], capsys)
    assert code == 0 and "ilo_adult_labour" in out


def test_show_json(capsys):
    code, out, _ = run(["indicators", "show", "ilo_adult_labour", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["id"] == "ilo_adult_labour" and data["version"] == 1
    assert [e["id"] for e in data["elements"]] == [
        "deceptive_recruitment",
        "coercive_recruitment",
        "abuse_of_vulnerability_recruitment",
        "exploitation",
        "coercion_at_destination",
        "abuse_of_vulnerability_at_destination",
    ]
    first = data["elements"][0]["indicators"][0]
    assert set(first) == {"id", "text", "strength"} and first["strength"] == "strong"
    code, out_nb, _ = run(["indicators", "show", "ilo_adult_labour", "--json", "--lang", "nb"], capsys)
    assert json.loads(out_nb)["elements"][0]["indicators"][0]["text"] != first["text"]


def test_assess_json(capsys):
    code, out, _ = run(
        [
            "assess",
            "ilo_child_labour",
            "--indicators",
            "dr_job_nature,dr_wages,ex_excessive_hours,ex_low_pay",
            "--json",
        ],
        capsys,
    )
    data = json.loads(out)
    assert code == 0
    assert data["catalogue"] == "ilo_child_labour" and data["version"] == 1
    assert data["conclusion"] == "indicates_trafficking"
    assert data["elements"]["exploitation"] == {
        "positive": True,
        "strong": 1,
        "medium": 1,
        "weak": 0,
        "indicators": ["ex_excessive_hours", "ex_low_pay"],
    }
    code, out, _ = run(["assess", "ilo_adult_labour", "--json"], capsys)
    assert json.loads(out)["conclusion"] == "no_indicators"
    code, out, _ = run(["assess", "ilo_adult_labour", "--indicators", "dr_job_nature"], capsys)
    assert code == 0 and "conclusion: inconclusive" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", "no_such_catalogue", "--indicators", "x", "--json"],
        ["assess", "ilo_adult_labour", "--indicators", "dr_job_nature,not_an_indicator", "--json"],
        ["indicators", "show", "no_such_catalogue", "--json"],
    ],
)
def test_unknown_ids_exit_2_with_a_clear_message(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: unknown ")


@pytest.mark.parametrize(
    "argv",
    [
        ["indicators", "--help"],
        ["indicators", "list", "--help"],
        ["indicators", "show", "--help"],
        ["assess", "--help"],
    ],
)
def test_help_has_an_example(argv, capsys):
    parser = argparse.ArgumentParser(prog="varde")
    register(parser.add_subparsers(dest="command", required=True))
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(argv)
    assert exc.value.code == 0
    assert "example:" in capsys.readouterr().out

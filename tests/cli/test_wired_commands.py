"""The domain commands are reachable through the one `varde` command."""

import json

from varde.cli import main


def test_indicators_assess_worker_and_link_are_wired(capsys):
    assert main(["indicators", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    ilo = {c["id"] for c in listed if c["id"].startswith("ilo_")}
    assert ilo == {"ilo_adult_labour", "ilo_adult_sexual", "ilo_child_labour", "ilo_child_sexual"}
    assert main(["assess", "ilo_adult_sexual", "--indicators", "no_such_indicator", "--json"]) == 2
    assert "no_such_indicator" in capsys.readouterr().err
    for command in (["worker", "--help"], ["link", "--help"], ["indicators", "show", "--help"]):
        assert main(command) == 0
        assert "example" in capsys.readouterr().out.lower()

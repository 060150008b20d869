"""`varde stats` without --json: readable tables with names in Bokmål or English, "no data" for an
empty period, and a reader that goes away (`| head`) ends the command quietly."""

from __future__ import annotations

import os
import sys

import pytest

from varde.cli import main

pytestmark = pytest.mark.django_db


def test_tables_name_what_they_count_in_english_and_bokmal(capsys, world):
    assert main(["stats", "--year", "2026", "--lang", "en", "--extended"]) == 0
    english = capsys.readouterr().out
    assert "National figures for 2026 (internal)" in english
    assert "Persons followed up" in english and "Nigeria" in english and "Sexual exploitation" in english
    assert "{" not in english and "by_nationality" not in english and "'NG'" not in english
    assert main(["stats", "--year", "2026", "--lang", "nb"]) == 0
    bokmal = capsys.readouterr().out
    assert "Personer fulgt opp" in bokmal and "Nigeria" in bokmal and "Seksuell utnyttelse" in bokmal
    assert "Persons followed up" not in bokmal


def test_a_period_without_anyone_says_no_data(capsys, world):
    assert main(["stats", "--year", "2011", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "No data" in out and "Women" not in out


def test_a_closed_pipe_ends_the_command_quietly(capsys, world, monkeypatch):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`head`) has gone
    stdout = os.fdopen(write_end, "w")
    monkeypatch.setattr(sys, "stdout", stdout)
    try:
        assert main(["stats", "--year", "2026", "--lang", "en"]) == 0
    finally:
        monkeypatch.undo()
        stdout.close()
    assert "failed" not in capsys.readouterr().err

"""Every string has a Bokmål translation; pages are Bokmål by default and English after switching."""

import re
from pathlib import Path

from django.urls import reverse

from tests.conftest import login_verified

PO = Path(__file__).resolve().parents[2] / "varde" / "locale" / "nb" / "LC_MESSAGES" / "django.po"


def parse_po(text):
    """Entries as dicts of msgid / msgstr / msgstr[n] plus their flags (plain Python, no library)."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry = {"flags": set()}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif m := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line):
                current = m.group(1)
                entry[current] = m.group(2)
            elif line.startswith('"') and current:
                entry[current] += line[1:-1]
        if "msgid" in entry:
            entries.append(entry)
    return entries


def test_po_file_is_complete_and_has_no_fuzzy_entries():
    entries = parse_po(PO.read_text(encoding="utf-8"))
    assert len(entries) > 300
    untranslated = [
        e["msgid"] for e in entries[1:] if any(v == "" for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert untranslated == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    header = entries[0]
    assert header["msgid"] == "" and "Language: nb" in header["msgstr"]


def test_placeholders_survive_translation():
    for e in parse_po(PO.read_text(encoding="utf-8"))[1:]:
        wanted = set(re.findall(r"%\(\w+\)s", e["msgid"]))
        for key, value in e.items():
            if key.startswith("msgstr"):
                assert set(re.findall(r"%\(\w+\)s", value)) == wanted, e["msgid"]


def test_norwegian_by_default_and_english_after_switching(client, world):
    login_verified(client, world.personas.police)
    page = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="nb"' in page and "Mine saker" in page and "Meld et mulig offer" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard")})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    page = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="en"' in page and "My cases" in page and "Mine saker" not in page
    assert 'value="nb"' in page  # the switch back


def test_sign_in_page_is_norwegian_for_anonymous_visitors(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Logg inn i Varde" in page and "Brukernavn" in page


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """`makemessages` run on a copy of the code finds nothing the committed catalogue lacks: a string
    added without running it (and translating) fails here, not in front of a Bokmål-speaking user."""
    import shutil
    import subprocess
    import sys

    root = PO.parents[4]
    for part in ("varde", "config"):
        shutil.copytree(root / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    fresh = tmp_path / "varde" / "locale" / "nb" / "LC_MESSAGES" / "django.po"
    fresh.unlink()  # a catalogue built from the code alone
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nb", "-v", "0"],
        cwd=tmp_path,
        check=True,
        env={**__import__("os").environ, "VARDE_ENV": "test"},
    )

    def ids(path):
        return {(e.get("msgctxt"), e["msgid"]) for e in parse_po(path.read_text(encoding="utf-8"))[1:]}

    missing = ids(fresh) - ids(PO)
    assert not missing, (
        f"{len(missing)} strings are not in django.po (run makemessages): {sorted(missing)[:10]}"
    )
    assert len(ids(fresh)) > 1000  # the copy was really scanned

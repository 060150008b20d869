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

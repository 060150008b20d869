"""Privacy-preserving linkage: keyed Bloom-filter encodings (varde/linkage/pprl.py), `varde pprl
encode`, and encoded records linked with plaintext ones by `varde link`."""

import csv
import hashlib
import hmac
import shutil

import numpy as np
import pytest

from varde.core.interchange_format import INTERCHANGE_COLUMNS
from varde.linkage import pprl
from varde.linkage.io import PPRL_COLUMNS
from varde.linkage.model import default_parameters
from varde.linkage.pipeline import link_records
from varde.linkage.pprl import (
    Encoder,
    PprlError,
    PprlKey,
    Scheme,
    bigrams,
    bloom_filter,
    dice,
    double_hash_positions,
    random_hash_positions,
)

from .helpers import filler, rec
from .test_cli import parser, write

KEY = PprlKey(b"varde-test-linkage-key-0123456789abcdef")
OTHER_KEY = PprlKey(b"another-linkage-key-0123456789abcdefghij")


# --- the published scheme: known vectors -----------------------------------------------------------------


def test_double_hashing_gives_the_published_positions_for_a_worked_example():
    """Schnell, Bachteler & Reiher (2009): h1 = HMAC-SHA1(k1, token), h2 = HMAC-MD5(k2, token), read as
    big-endian integers; bit i = (h1 + i*h2) mod l. Worked example: "anna" -> padded bigrams _a an nn
    na a_, k1 = b"schnell-2009-sha1-key", k2 = b"schnell-2009-md5-key", l = 1000, k = 4. For "_a":
    h1 = 0xe912dcca480bcafc1deadc23979caafa1527f356, h2 = 0x35b0c437cd47f8166161af78cfe4cc3a."""
    k1, k2 = b"schnell-2009-sha1-key", b"schnell-2009-md5-key"
    assert bigrams("anna") == ["_a", "an", "nn", "na", "a_"]
    h1 = hmac.new(k1, b"_a", hashlib.sha1).hexdigest()
    h2 = hmac.new(k2, b"_a", hashlib.md5).hexdigest()
    assert h1 == "e912dcca480bcafc1deadc23979caafa1527f356"
    assert h2 == "35b0c437cd47f8166161af78cfe4cc3a"
    assert double_hash_positions("_a", k1, k2, 4, 1000) == [334, 456, 578, 700]
    expected = {
        "_a": [334, 456, 578, 700],
        "an": [766, 885, 4, 123],
        "nn": [993, 209, 425, 641],
        "na": [356, 666, 976, 286],
        "a_": [383, 73, 763, 453],
    }
    for gram, positions in expected.items():
        assert double_hash_positions(gram, k1, k2, 4, 1000) == positions
    # the filter of "anna": the union of its bigrams' positions, 20 distinct bits
    assert sorted({p for ps in expected.values() for p in ps}) == sorted(
        {p for g in bigrams("anna") for p in double_hash_positions(g, k1, k2, 4, 1000)}
    )


def test_random_hashing_draws_each_position_from_hmac_sha256():
    """Positions = HMAC-SHA256(key, token | 0x00 | counter as 2 bytes) read as 16-bit words, mod l."""
    digest = hmac.new(b"random-hashing-key", b"_a\x00\x00\x00", hashlib.sha256).hexdigest()
    assert digest.startswith("d32b3dcff4efad353e9e")
    assert random_hash_positions("_a", b"random-hashing-key", 5, 1024) == [811, 463, 239, 309, 670]
    # past 16 positions the counter moves on
    assert len(set(random_hash_positions("_a", b"random-hashing-key", 40, 1 << 16))) == 40


# --- properties -------------------------------------------------------------------------------------------


def _bigram_filter(text: str, key: bytes = b"k" * 32) -> np.ndarray:
    return bloom_filter(bigrams(text.lower()), key, pprl.FilterSpec(1024, 15))


def test_near_names_are_more_alike_than_unrelated_ones():
    mohamed, muhammad, esther, ester = (_bigram_filter(n) for n in ("Mohamed", "Muhammad", "Esther", "Ester"))
    assert dice(esther, ester) > 0.75
    assert dice(mohamed, muhammad) > dice(mohamed, esther) + 0.2
    assert dice(esther, ester) > dice(esther, muhammad) + 0.5
    # with Varde's normalisation both spellings are the canonical "muhammad"; order does not matter
    encoder = Encoder(KEY)
    assert dice(encoder.name_filter("Mohamed", "Abdi"), encoder.name_filter("Abdi", "Muhammad")) == 1.0
    assert dice(encoder.name_filter("Esther", "Okafor"), encoder.name_filter("Ester", "Okafor")) > 0.8
    assert dice(encoder.name_filter("Esther", "Okafor"), encoder.name_filter("Svetlana", "Ivanova")) < 0.4


def test_same_input_and_key_give_the_same_encoding_another_key_an_unrelated_one():
    row = rec("R1", "rosa", "Esther", "Igbinovia", dob="1990-05-06", phone="+47 934 56 789", doc="AB1234567")
    first, again = Encoder(KEY).encode_row(row), Encoder(KEY).encode_row(dict(row))
    assert first == again and all(first.values())
    other = Encoder(OTHER_KEY).encode_row(row)
    assert all(first[c] != other[c] for c in PPRL_COLUMNS)
    ours, theirs = (
        Encoder(KEY).decode("name_clk", first["name_clk"])[0],
        Encoder(OTHER_KEY).name_filter("Esther", "Igbinovia"),
    )
    assert dice(ours, theirs) < 0.5  # no more alike than unrelated names: the bits are elsewhere
    with pytest.raises(PprlError, match="another key") as raised:
        Encoder(KEY).decode("name_clk", other["name_clk"])
    assert other["name_clk"].split(".")[2][:12] not in str(raised.value)


def test_balanced_encodings_have_constant_weight_and_decode_to_the_filter():
    encoder = Encoder(KEY)
    short, long_ = (
        encoder.encode_row(rec("A", "rosa", "Li", "Wu")),
        encoder.encode_row(rec("B", "rosa", "Oluwaseun Chukwuemeka", "Adebayo-Okonkwo")),
    )
    for value in (short["name_clk"], long_["name_clk"]):
        bits = _payload_bits(value)
        assert bits.size == 2048 and int(bits.sum()) == 1024  # the name's length does not show
    decoded = encoder.decode("name_clk", long_["name_clk"])[0]
    assert np.array_equal(decoded, encoder.name_filter("Oluwaseun Chukwuemeka", "Adebayo-Okonkwo"))
    permutation = pprl.keyed_permutation(b"p" * 32, 64)
    original = np.random.default_rng(1).random(32) < 0.3
    assert sorted(permutation.tolist()) == list(range(64))
    assert np.array_equal(pprl.unbalance(pprl.balance(original, permutation), permutation), original)


def test_xor_folding_halves_the_filter_and_keeps_near_names_near():
    folded = Encoder(KEY, Scheme(fold=True))
    a, b = folded.name_filter("Esther", "Okafor"), folded.name_filter("Ester", "Okafor")
    assert a.size == 512 and dice(a, b) > 0.6
    value = folded.encode_row(rec("A", "rosa", "Esther", "Okafor"))["name_clk"]
    assert value.startswith("v1bf.") and np.array_equal(folded.decode("name_clk", value)[0], a)
    with pytest.raises(PprlError, match="another scheme"):
        Encoder(KEY).decode("name_clk", value)


def test_birth_filters_keep_the_plaintext_model_s_distinctions():
    encoder = Encoder(KEY)

    def date_dice(a, b):
        return dice(
            encoder.birth_filters(a, None, "2009-01-01")[0], encoder.birth_filters(b, None, "2009-01-01")[0]
        )

    assert date_dice("1990-05-07", "1990-05-07") == 1.0
    assert date_dice("1990-05-07", "1990-07-05") > 0.6  # day and month swapped
    assert date_dice("1990-05-07", "1983-11-24") < 0.45
    # a 1 January default and an estimated age give no date filter, only years
    assert not encoder.birth_filters("1990-01-01", None, "2009-01-01")[0].any()
    assert not encoder.birth_filters(None, "19", "2009-01-01")[0].any()
    assert encoder.birth_filters(None, None, "2009-01-01") is None


def test_the_key_must_have_32_bytes_and_never_shows(tmp_path):
    with pytest.raises(PprlError, match="at least 32 bytes"):
        PprlKey(b"short")
    assert "0123456789" not in repr(KEY) and KEY.check in repr(KEY)
    assert PprlKey.from_environment({}) is None
    assert PprlKey.from_environment({"VARDE_PPRL_KEY": "x" * 32}).check == PprlKey(b"x" * 32).check
    key_file = tmp_path / "linkage.key"
    key_file.write_bytes(b"y" * 40 + b"\n")
    assert PprlKey.from_file(key_file).check == PprlKey(b"y" * 40).check


def _payload_bits(value: str) -> np.ndarray:
    import base64

    text = value.split(".")[2]
    payload = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return np.unpackbits(np.frombuffer(payload, dtype=np.uint8))


# --- the agency's command ------------------------------------------------------------------------------------


def run(argv):
    args = parser().parse_args(argv)
    return args.func(args)


def test_encode_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["pprl", "encode", "--help"])
    out = capsys.readouterr().out
    assert "Example:" in out and "varde pprl encode" in out and "VARDE_PPRL_KEY" in out


DUPLICATES = [
    rec("S1", "oslo-pd-stop", "Esther", "Igbinovia", dob="1990-05-06", phone="+47 934 56 789"),
    rec("S2", "rosa", "Igbinovia", "Esther", dob="1990-05-06", phone="93456789"),
    rec("T1", "udi", "Mohamed", "Abdi", sex="M", nat="SO", dob="1995-02-03", doc="AB1234567"),
    rec("T2", "rosa", "Mohammed", "Abdi", sex="M", nat="SO", dob="1995-02-03", doc="ab 123 4567"),
    rec("U1", "helse-ost", "Oksana", "Kovalenko", nat="UA", age="25", phone="+380 67 123 4567"),
    rec("U2", "bufetat-ost", "Oksana", "Kovalenko", nat="UA", age="24", phone="0038067 1234567"),
]
ENCODED_AGENCIES = {"rosa", "helse-ost"}


def test_encode_writes_encodings_and_no_plaintext_identity(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VARDE_PPRL_KEY", "varde-test-linkage-key-0123456789abcdef")
    rows = [r for r in DUPLICATES if r["reporting_agency"] in ENCODED_AGENCIES]
    source, out = tmp_path / "records.csv", tmp_path / "encoded.csv"
    write(source, [{**r, "notes": "free text"} for r in rows], columns=(*INTERCHANGE_COLUMNS, "notes"))
    assert run(["pprl", "encode", str(source), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{len(rows)} records encoded" in err and KEY.check in err
    text = out.read_text(encoding="utf-8")
    with out.open(encoding="utf-8") as fh:
        encoded = list(csv.DictReader(fh))
    assert list(encoded[0]) == [*INTERCHANGE_COLUMNS, *PPRL_COLUMNS]  # unknown columns are not copied
    assert "free text" not in text
    for original, row in zip(rows, encoded, strict=True):
        assert all(row[c] == "" for c in pprl.IDENTIFYING_COLUMNS)
        assert row["name_clk"] and row["birth_clk"]
        for column in (
            "record_id",
            "reporting_agency",
            "referral_date",
            "sex",
            "nationality",
            "municipality",
        ):
            assert row[column] == original[column]
        for column in ("given_name", "family_name", "phone", "id_document_number", "date_of_birth"):
            if original[column]:
                assert original[column] not in text
        digits = "".join(ch for ch in original["phone"] if ch.isdigit())
        assert not digits or digits[-8:] not in text


def test_encode_refuses_without_a_key_of_32_bytes(tmp_path, monkeypatch):
    source, out = tmp_path / "records.csv", tmp_path / "encoded.csv"
    write(source, DUPLICATES[:2])
    monkeypatch.delenv("VARDE_PPRL_KEY", raising=False)
    with pytest.raises(PprlError, match="no linkage key"):
        run(["pprl", "encode", str(source), "--out", str(out)])
    monkeypatch.setenv("VARDE_PPRL_KEY", "too-short")
    with pytest.raises(PprlError, match="at least 32 bytes"):
        run(["pprl", "encode", str(source), "--out", str(out)])
    key_file = tmp_path / "short.key"
    key_file.write_text("also-short\n")
    with pytest.raises(PprlError, match="at least 32 bytes"):
        run(["pprl", "encode", str(source), "--out", str(out), "--key-file", str(key_file)])
    assert not out.exists()


def test_the_varde_command_refuses_without_a_key(tmp_path, monkeypatch, capsys):
    from varde.cli import main

    source = tmp_path / "records.csv"
    write(source, DUPLICATES[:2])
    monkeypatch.delenv("VARDE_PPRL_KEY", raising=False)
    assert main(["pprl", "encode", str(source), "--out", str(tmp_path / "encoded.csv")]) == 2
    assert "no linkage key" in capsys.readouterr().err


def _mixed_file(tmp_path, monkeypatch, rows):
    """The plaintext records file, and the same records with the encoded agencies' rows encoded by
    `varde pprl encode` (as KOM would put the files it received together)."""
    monkeypatch.setenv("VARDE_PPRL_KEY", "varde-test-linkage-key-0123456789abcdef")
    plain, agency, encoded, mixed = (
        tmp_path / n for n in ("plain.csv", "agency.csv", "encoded.csv", "mixed.csv")
    )
    write(plain, rows)
    write(agency, [r for r in rows if r["reporting_agency"] in ENCODED_AGENCIES])
    assert run(["pprl", "encode", str(agency), "--out", str(encoded)]) == 0
    with encoded.open(encoding="utf-8") as fh:
        encoded_rows = {r["record_id"]: r for r in csv.DictReader(fh)}
    write(
        mixed,
        [encoded_rows.get(r["record_id"], r) for r in rows],
        columns=(*INTERCHANGE_COLUMNS, *PPRL_COLUMNS),
    )
    return plain, mixed


def _persons(path):
    with path.open(encoding="utf-8") as fh:
        return {r["record_id"]: r["person_key"] for r in csv.DictReader(fh)}


def test_varde_link_on_a_mixed_file_finds_the_plaintext_persons_for_obvious_duplicates(tmp_path, monkeypatch):
    rows = filler(150, seed=2) + DUPLICATES
    plain, mixed = _mixed_file(tmp_path, monkeypatch, rows)
    assert run(["link", str(plain), "--out", str(tmp_path / "p.csv"), "--quiet"]) == 0
    assert run(["link", str(mixed), "--out", str(tmp_path / "m.csv"), "--quiet"]) == 0
    by_plain, by_mixed = _persons(tmp_path / "p.csv"), _persons(tmp_path / "m.csv")
    for keys in (by_plain, by_mixed):
        assert keys["S1"] == keys["S2"] and keys["T1"] == keys["T2"] and keys["U1"] == keys["U2"]
        assert len({keys["S1"], keys["T1"], keys["U1"]}) == 3
    # the key from a file does the same; without a key, or with another, the mixed file is refused
    monkeypatch.delenv("VARDE_PPRL_KEY")
    key_file = tmp_path / "linkage.key"
    key_file.write_text("varde-test-linkage-key-0123456789abcdef\n")
    assert (
        run(["link", str(mixed), "--out", str(tmp_path / "k.csv"), "--quiet", "--key-file", str(key_file)])
        == 0
    )
    assert _persons(tmp_path / "k.csv") == by_mixed
    with pytest.raises(PprlError, match="the linkage key is needed"):
        run(["link", str(mixed), "--out", str(tmp_path / "x.csv"), "--quiet"])
    monkeypatch.setenv("VARDE_PPRL_KEY", "another-linkage-key-0123456789abcdefghij")
    with pytest.raises(PprlError, match="another key"):
        run(["link", str(mixed), "--out", str(tmp_path / "x.csv"), "--quiet"])
    # a plaintext file links as before whatever the key setting
    monkeypatch.setenv("VARDE_PPRL_KEY", "short")
    assert run(["link", str(plain), "--out", str(tmp_path / "q.csv"), "--quiet"]) == 0
    assert _persons(tmp_path / "q.csv") == by_plain


def _encode(rows, agencies=ENCODED_AGENCIES):
    encoder = Encoder(KEY)
    out = []
    for r in rows:
        if r["reporting_agency"] in agencies:
            out.append(next(iter(pprl.encode_rows([r], encoder, INTERCHANGE_COLUMNS))))
        else:
            out.append({**r, **dict.fromkeys(PPRL_COLUMNS, "")})
    return out


def test_encoded_keys_never_pair_two_plaintext_records():
    """The pairs between plaintext records are the plaintext run's, scored alike (not to the digit:
    the term frequencies of names are counted over the plaintext records only, the encoded ones have none)."""
    rows = filler(200, seed=4) + DUPLICATES
    params = default_parameters()
    plain = link_records(rows, params=params)
    mixed = link_records(_encode(rows), params=params, pprl_key=KEY)
    encoded = {r["record_id"] for r in rows if r["reporting_agency"] in ENCODED_AGENCIES}

    def plaintext_pairs(result):
        return {
            (p.record_a, p.record_b): round(p.probability, 9)
            for p in result.pairs
            if p.record_a not in encoded and p.record_b not in encoded
        }

    in_mixed, in_plain = plaintext_pairs(mixed), plaintext_pairs(plain)
    assert in_mixed.keys() == in_plain.keys()
    assert all(abs(in_mixed[pair] - in_plain[pair]) < 0.05 for pair in in_plain)
    assert any(p.record_a in encoded or p.record_b in encoded for p in mixed.pairs)


def test_without_encoded_records_the_key_changes_nothing():
    rows = filler(120, seed=7)
    params = default_parameters()
    assert (
        link_records(rows, params=params, pprl_key=KEY).person_key
        == link_records(rows, params=params).person_key
    )


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
def test_spark_links_encoded_records_as_duckdb_does():
    rows = _encode(filler(150, seed=13) + DUPLICATES)
    params = default_parameters()
    duck = link_records(rows, engine="duckdb", params=params, pprl_key=KEY)
    spark = link_records(rows, engine="spark", params=params, pprl_key=KEY)
    assert spark.person_key == duck.person_key
    assert duck.person_key["S1"] == duck.person_key["S2"] and duck.person_key["T1"] == duck.person_key["T2"]

"""Privacy-preserving record linkage: keyed Bloom-filter encodings of the identifying fields.

An agency that may not share names (a health service, an NGO bound by confidentiality) runs
`varde pprl encode` on its interchange CSV: name, birth, phone and document number leave the agency
only as keyed Bloom filters (Schnell, Bachteler & Reiher 2009, "Privacy-preserving record linkage
using Bloom filters", BMC Medical Informatics and Decision Making 9:41; the cryptographic long-term
key (CLK) of Schnell, Bachteler & Reiher 2011). Varde holds the same key, encodes the plaintext
records it links them with the same way, and compares encodings by the Dice coefficient.

The scheme (version 1), written here from the published descriptions (no third-party code):

- **Normalisation first, as for plaintext linkage**: the name parts are the canonical parts of
  `preprocess.name_parts` (script folded, transliteration variants collapsed, particles dropped);
  the phone is its last 8 digits (`preprocess.phone_match_key`), the document number upper-case
  letters and digits. Both sides run this same code, so equal inputs give equal encodings.
- **Tokens**: padded bigrams ("_m", "mo", ... per part, so that name order does not matter) plus
  the part's sound key (`preprocess.phonetic_key`: "Osarumen"/"Osarumwen" agree on it), weighted
  twice. Birth: a date sub-filter (the date, a day/month-swap-invariant token weighted four times,
  the bigrams of its digits yymmdd) only for a written date that is not 1 January (a default); a
  year sub-filter with one token per year the evidence allows (a written year +-1, a 1 January
  default +-3, an estimated age's range +-1). Phone: bigrams of its last 8 digits; document number:
  bigrams of its letters and digits.
- **Keyed hashing**: every field has its own key derived from the linkage key (HMAC-SHA256 with
  the field's name: the same bigram in the name and the document sets unrelated bits).
  `double_hash_positions` is the published scheme (HMAC-SHA1 and HMAC-MD5, position
  (h1 + i*h2) mod l); the encodings use *random hashing* instead (each of the k positions drawn from
  HMAC-SHA256 of the token, counter mode): double hashing puts a token's k bits in an arithmetic
  progression, which the pattern attacks of Niedermeyer et al. (2014) exploit.
- **Balancing** (Schnell & Borgs 2016, after Berger codes): the filter is concatenated with its
  complement and the 2l bits permuted by a permutation derived from the key. Every encoding then
  has exactly l set bits: the number of set bits no longer tells the length or commonness of a
  name, and without the key no bit position can be tied to a position of the original filter.
  Varde, holding the key, undoes the permutation and compares the original filters, so balancing
  costs no linkage quality.
- **XOR-folding** (Schnell, Borgs & Encarnacao) is available (`fold=True`): the two halves of
  the filter XOR-ed before balancing. It makes pattern mining harder and cannot be undone, even
  with the key, so it costs quality; the benchmark measures how much (bench/linkage/README.md).
- **Salting with a record attribute** (e.g. the year of birth, Niedermeyer et al.) is *not* used:
  it needs an attribute that is correct and present in both records, and here the birth year is
  an estimate or missing in about half the referrals and sex is missing or wrong in one in
  twenty; a salt that differs between two records of one person makes them unlinkable. The key
  itself (one per field) is the salt.

An encoding is written as `v1[b][f].<key check>.<base64url>`: the scheme (b balanced, f folded),
eight hex digits that identify the key (an HMAC of a fixed label: a file encoded with another key
is refused instead of linking nothing), and the filter. Keys: at least 32 bytes, from
`VARDE_PPRL_KEY` or a key file, never stored in the database or written to a log.

docs/PPRL.md says what someone holding the encodings without the key can and cannot learn.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from varde.core.errors import VardeError

from .io import PPRL_COLUMNS
from .preprocess import (
    birth_features,
    name_parts,
    normalise_document,
    normalise_phone,
    parse_date,
    parse_int,
    phone_match_key,
    phonetic_key,
)

KEY_ENV = "VARDE_PPRL_KEY"
MIN_KEY_BYTES = 32
VERSION = "v1"

# Identifying interchange columns: emptied in an encoded file, ignored on an encoded record.
IDENTIFYING_COLUMNS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "date_of_birth",
    "estimated_age",
    "phone",
    "id_document_number",
)


class PprlError(VardeError):
    """A key or an encoding cannot be used. Messages never carry a key or an encoded value."""


# --- the key -----------------------------------------------------------------------------------------


class PprlKey:
    """The linkage key and the keys derived from it (one per field and purpose)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_KEY_BYTES:
            raise PprlError(f"the linkage key must be at least {MIN_KEY_BYTES} bytes (it has {len(secret)})")
        self._secret = bytes(secret)

    def __repr__(self) -> str:  # never the key itself, not even in a traceback
        return f"PprlKey(check={self.check})"

    def derive(self, purpose: str) -> bytes:
        return hmac.new(self._secret, f"varde-pprl-{VERSION}|{purpose}".encode(), hashlib.sha256).digest()

    @cached_property
    def check(self) -> str:
        """Eight hex digits that tell two keys apart and reveal nothing about the key."""
        return self.derive("key-check")[:4].hex()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> PprlKey | None:
        value = (os.environ if environ is None else environ).get(KEY_ENV, "").strip()
        return cls(value.encode("utf-8")) if value else None

    @classmethod
    def from_file(cls, path: Path) -> PprlKey:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PprlError(f"cannot read the key file {path.name}: {exc.strerror or 'error'}") from None
        return cls(data.strip())

    @classmethod
    def load(cls, key_file: Path | None = None, environ: Mapping[str, str] | None = None) -> PprlKey | None:
        """The key from `key_file` if given, else from VARDE_PPRL_KEY; None when neither is set."""
        return cls.from_file(key_file) if key_file is not None else cls.from_environment(environ)


# --- tokens --------------------------------------------------------------------------------------------


def bigrams(text: str, pad: str = "_") -> list[str]:
    """Padded bigrams, in order: "ann" -> ["_a", "an", "nn", "n_"] (Schnell et al. 2009 pad with blanks)."""
    padded = f"{pad}{text}{pad}"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


SOUND_WEIGHT = 2  # sound-key tokens count twice: a part that sounds alike outweighs shared bigrams


def name_tokens(given: str | None, family: str | None, *, sound: bool = True) -> set[str]:
    """Bigrams of every canonical name part (each padded: the order of the parts does not matter),
    and the part's sound key (marked "#", so that it never collides with a bigram)."""
    tokens: set[str] = set()
    for part in name_parts(given, family):
        tokens.update(bigrams(part))
        if sound:
            tokens.update(f"#{phonetic_key(part)}#{i}" for i in range(SOUND_WEIGHT))
    return tokens


# Years either side of the evidence that the year tokens cover: a written date's own year +-1 (the
# plaintext model's "centred within 1.5 years"), a 1 January default +-3 (its +-2, widened by one).
YEAR_WIDEN = 1
SWAP_WEIGHT = 4  # the day/month-swap-invariant date token counts four times


def birth_tokens(
    date_of_birth: str | None, estimated_age: str | None, referral_date: str | None
) -> tuple[set[str], set[str]]:
    """(date tokens, year tokens). Date tokens only for a written date that is not 1 January (a
    default): the date, its day/month-swap-invariant form (weighted), the bigrams of its digits
    (one slip keeps most). Year tokens: one per year in the range the evidence allows, widened."""
    birth = birth_features(parse_date(date_of_birth), parse_int(estimated_age), parse_date(referral_date))
    dates: set[str] = set()
    if birth.dob is not None and birth.exact:
        y, m, d = birth.dob.split("-")
        dates.add("D" + birth.dob)
        low, high = sorted((m, d))
        dates.update(f"S{y}{low}{high}#{i}" for i in range(SWAP_WEIGHT))
        dates.update("d" + g for g in bigrams(f"{y[2:]}{m}{d}"))
    years: set[str] = set()
    if birth.year_lo is not None and birth.year_hi is not None:
        years.update(f"Y{t}" for t in range(birth.year_lo - YEAR_WIDEN, birth.year_hi + YEAR_WIDEN + 1))
    return dates, years


def phone_tokens(raw: str | None) -> set[str]:
    key = phone_match_key(normalise_phone(raw))
    return set(bigrams(key)) if key else set()


def document_tokens(raw: str | None) -> set[str]:
    value = normalise_document(raw)
    return set(bigrams(value)) if value else set()


# --- Bloom filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterSpec:
    bits: int  # l, a power of two
    hashes: int  # k


# Lengths and numbers of hash functions: names l=1024, k=15 (Schnell et al. use l=1000 with 15-30
# hash functions for bigrams); a name's ~20 tokens set ~25 % of the bits. The other filters are
# sized for a fill of 10-20 %: the fuller a filter, the more alike unrelated values look (two random
# filters of fill f have a Dice coefficient of about f).
SPECS: dict[str, FilterSpec] = {
    "name": FilterSpec(1024, 15),
    "date": FilterSpec(512, 8),
    "years": FilterSpec(512, 6),
    "phone": FilterSpec(256, 8),
    "document": FilterSpec(512, 8),
}


def double_hash_positions(token: str, key_sha1: bytes, key_md5: bytes, hashes: int, bits: int) -> list[int]:
    """The positions of Schnell et al. (2009): h1 = HMAC-SHA1, h2 = HMAC-MD5 of the token (each read as
    a big-endian integer), position i = (h1 + i * h2) mod l for i = 0 .. k-1."""
    data = token.encode("utf-8")
    h1 = int.from_bytes(hmac.new(key_sha1, data, hashlib.sha1).digest(), "big")
    h2 = int.from_bytes(hmac.new(key_md5, data, hashlib.md5).digest(), "big")  # noqa: S324 - the published scheme's keyed MD5
    return [(h1 + i * h2) % bits for i in range(hashes)]


def random_hash_positions(token: str, key: bytes, hashes: int, bits: int) -> list[int]:
    """k positions drawn independently: HMAC-SHA256(key, token | counter) read as 16-bit words, each
    mod l (l a power of two <= 65536: uniform). No arithmetic relation between a token's positions."""
    if bits & (bits - 1) or not 0 < bits <= 1 << 16:
        raise ValueError("bits must be a power of two up to 65536")
    data = token.encode("utf-8")
    positions: list[int] = []
    counter = 0
    while len(positions) < hashes:
        digest = hmac.new(key, data + b"\x00" + counter.to_bytes(2, "big"), hashlib.sha256).digest()
        positions.extend(int.from_bytes(digest[i : i + 2], "big") % bits for i in range(0, 32, 2))
        counter += 1
    return positions[:hashes]


def bloom_filter(tokens: Iterable[str], key: bytes, spec: FilterSpec) -> np.ndarray:
    """The Bloom filter of `tokens` as a boolean array of `spec.bits` (random hashing)."""
    bits = np.zeros(spec.bits, dtype=bool)
    for token in tokens:
        bits[random_hash_positions(token, key, spec.hashes, spec.bits)] = True
    return bits


def xor_fold(bits: np.ndarray) -> np.ndarray:
    """The two halves XOR-ed: l bits -> l/2 bits."""
    half = bits.size // 2
    return np.logical_xor(bits[:half], bits[half:])


def keyed_permutation(key: bytes, size: int) -> np.ndarray:
    """A permutation of range(size) from the key (Fisher-Yates; draws from HMAC-SHA256 in counter
    mode, rejection sampling so that every permutation is equally likely)."""
    order = np.arange(size)
    stream = _Stream(key)
    for i in range(size - 1, 0, -1):
        j = stream.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


class _Stream:
    def __init__(self, key: bytes) -> None:
        self._key, self._counter, self._buffer = key, 0, b""

    def _take(self, n: int) -> bytes:
        while len(self._buffer) < n:
            self._buffer += hmac.new(self._key, self._counter.to_bytes(8, "big"), hashlib.sha256).digest()
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def below(self, n: int) -> int:
        limit = (1 << 32) - ((1 << 32) % n)
        while True:
            value = int.from_bytes(self._take(4), "big")
            if value < limit:
                return value % n


def balance(bits: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    """Berger-code balancing: the filter and its complement, permuted. Exactly l of 2l bits set."""
    return np.concatenate([bits, ~bits])[permutation]


def unbalance(balanced: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    """The original filter back from a balanced one (needs the key's permutation)."""
    original = np.empty_like(balanced)
    original[permutation] = balanced
    return original[: balanced.size // 2]


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """Dice coefficient 2|A and B| / (|A| + |B|) of two filters (0 when both are empty)."""
    total = int(a.sum()) + int(b.sum())
    return 2.0 * int(np.logical_and(a, b).sum()) / total if total else 0.0


# --- the encoder ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheme:
    """How filters are hardened. Both sides of a linkage must use the same scheme."""

    balanced: bool = True
    fold: bool = False
    sound: bool = True  # a sound-key token per name part

    @property
    def tag(self) -> str:
        return (
            VERSION
            + ("b" if self.balanced else "")
            + ("f" if self.fold else "")
            + ("" if self.sound else "n")
        )

    @classmethod
    def from_tag(cls, tag: str) -> Scheme:
        if not tag.startswith(VERSION) or set(tag[len(VERSION) :]) - set("bfn"):
            raise PprlError("an encoding has an unknown scheme")
        flags = tag[len(VERSION) :]
        return cls(balanced="b" in flags, fold="f" in flags, sound="n" not in flags)

    def stored_bits(self, spec: FilterSpec) -> int:
        """Bits of the filter Varde compares (after folding, before balancing)."""
        return spec.bits // 2 if self.fold else spec.bits


DEFAULT_SCHEME = Scheme()
# The parts of each encoded column: birth carries a date and a year sub-filter.
COLUMN_PARTS: dict[str, tuple[str, ...]] = {
    "name_clk": ("name",),
    "birth_clk": ("date", "years"),
    "phone_clk": ("phone",),
    "document_clk": ("document",),
}


@dataclass
class Encoder:
    """Encodes interchange rows, and decodes encodings back to the (unbalanced) filters for comparison."""

    key: PprlKey
    scheme: Scheme = field(default_factory=Scheme)

    @cached_property
    def _field_keys(self) -> dict[str, bytes]:
        return {name: self.key.derive("filter:" + name) for name in SPECS}

    @cached_property
    def _permutations(self) -> dict[str, np.ndarray]:
        return {
            name: keyed_permutation(self.key.derive("balance:" + name), 2 * self.scheme.stored_bits(spec))
            for name, spec in SPECS.items()
        }

    def _permutation(self, name: str) -> np.ndarray:
        return self._permutations[name]

    @cached_property
    def _positions(self) -> dict[tuple[str, str], list[int]]:
        return {}  # (field, token) -> positions: bigrams repeat across names, HMAC each once

    def filter(self, name: str, tokens: Iterable[str]) -> np.ndarray:
        """The compared filter of one part (folded if the scheme folds; not balanced): `bloom_filter`
        with the field's key, each token's positions computed once per encoder."""
        spec, key, cache = SPECS[name], self._field_keys[name], self._positions
        bits = np.zeros(spec.bits, dtype=bool)
        for tok in tokens:
            positions = cache.get((name, tok))
            if positions is None:
                positions = cache[(name, tok)] = random_hash_positions(tok, key, spec.hashes, spec.bits)
            bits[positions] = True
        return xor_fold(bits) if self.scheme.fold else bits

    def _harden(self, name: str, bits: np.ndarray) -> np.ndarray:
        return balance(bits, self._permutation(name)) if self.scheme.balanced else bits

    def _write(self, parts: Sequence[tuple[str, np.ndarray]]) -> str:
        payload = b"".join(np.packbits(self._harden(name, bits)).tobytes() for name, bits in parts)
        text = base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")
        return f"{self.scheme.tag}.{self.key.check}.{text}"

    # -- the agency side

    def name_filter(self, given: str | None, family: str | None) -> np.ndarray | None:
        tokens = name_tokens(given, family, sound=self.scheme.sound)
        return self.filter("name", tokens) if tokens else None

    def birth_filters(
        self, date_of_birth: str | None, estimated_age: str | None, referral_date: str | None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        dates, years = birth_tokens(date_of_birth, estimated_age, referral_date)
        if not years:
            return None
        return self.filter("date", dates), self.filter("years", years)

    def phone_filter(self, raw: str | None) -> np.ndarray | None:
        tokens = phone_tokens(raw)
        return self.filter("phone", tokens) if tokens else None

    def document_filter(self, raw: str | None) -> np.ndarray | None:
        tokens = document_tokens(raw)
        return self.filter("document", tokens) if tokens else None

    def encode_row(self, row: Mapping[str, str | None]) -> dict[str, str]:
        """The four encoded columns of one interchange row ("" where the field is missing)."""
        out = dict.fromkeys(PPRL_COLUMNS, "")
        name = self.name_filter(row.get("given_name"), row.get("family_name"))
        if name is not None:
            out["name_clk"] = self._write([("name", name)])
        birth = self.birth_filters(
            row.get("date_of_birth"), row.get("estimated_age"), row.get("referral_date")
        )
        if birth is not None:
            out["birth_clk"] = self._write([("date", birth[0]), ("years", birth[1])])
        phone = self.phone_filter(row.get("phone"))
        if phone is not None:
            out["phone_clk"] = self._write([("phone", phone)])
        document = self.document_filter(row.get("id_document_number"))
        if document is not None:
            out["document_clk"] = self._write([("document", document)])
        return out

    # -- Varde's side

    def decode(self, column: str, value: str) -> list[np.ndarray]:
        """The compared filters of one encoded value (balancing undone). Raises PprlError on a value
        of another key or scheme, or of the wrong length; the message carries no value."""
        try:
            tag, check, text = value.split(".")
        except ValueError:
            raise PprlError(f"{column}: not an encoding") from None
        if Scheme.from_tag(tag) != self.scheme:
            raise PprlError(f"{column}: encoded with another scheme ({tag}, expected {self.scheme.tag})")
        if not hmac.compare_digest(check, self.key.check):
            raise PprlError(f"{column}: encoded with another key (key check {check}, ours {self.key.check})")
        try:
            payload = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError:
            raise PprlError(f"{column}: not valid base64") from None
        out: list[np.ndarray] = []
        offset = 0
        for name in COLUMN_PARTS[column]:
            size = self.scheme.stored_bits(SPECS[name]) * (2 if self.scheme.balanced else 1)
            chunk = payload[offset : offset + size // 8]
            if len(chunk) != size // 8:
                raise PprlError(f"{column}: an encoding has the wrong length")
            offset += size // 8
            bits = np.unpackbits(np.frombuffer(chunk, dtype=np.uint8)).astype(bool)
            if self.scheme.balanced:
                if int(bits.sum()) != bits.size // 2:
                    raise PprlError(f"{column}: an encoding is not balanced")
                bits = unbalance(bits, self._permutation(name))
            out.append(bits)
        if offset != len(payload):
            raise PprlError(f"{column}: an encoding has the wrong length")
        return out


def scheme_of(values: Iterable[str]) -> Scheme | None:
    """The one scheme of a file's encodings (None when there are none); mixed schemes are refused."""
    tags = {v.split(".", 1)[0] for v in values if v}
    if len(tags) > 1:
        raise PprlError("the encodings use more than one scheme: " + ", ".join(sorted(tags)))
    return Scheme.from_tag(tags.pop()) if tags else None


# --- what the linkage engine compares ----------------------------------------------------------------


def words(bits: np.ndarray | None) -> list[int] | None:
    """A filter as signed 64-bit words (big-endian bit order), as the engine stores it."""
    if bits is None:
        return None
    return np.packbits(bits).view(">u8").astype(np.int64).tolist()


def token(bits: np.ndarray | None) -> str | None:
    """A short digest of a filter: equal for equal filters (equality of phones and documents)."""
    if bits is None:
        return None
    return hashlib.blake2b(np.packbits(bits).tobytes(), digest_size=8).hexdigest()


def encode_rows(
    rows: Iterable[Mapping[str, str | None]], encoder: Encoder, columns: Sequence[str]
) -> Iterable[dict[str, str]]:
    """The agency's side: each row with its identifying columns emptied and the encodings added. Only
    `columns` (the interchange columns) are kept: a column Varde does not know may hold anything."""
    for row in rows:
        out = {c: ("" if c in IDENTIFYING_COLUMNS else str(row.get(c) or "")) for c in columns}
        out.update(encoder.encode_row(row))
        yield out


# --- a batch of interchange rows, some encoded -----------------------------------------------------------

# The engine's columns for encoded comparisons: per filter its 64-bit words (`_w`) and number of set
# bits (`_n`); `name_tok` a digest of the name filter (equal names, term-frequency adjusted); `enc`
# whether the record arrived encoded. The phone and document columns hold digests of their filters
# for every record (equal numbers give equal digests, so every rule on them works unchanged).
FILTER_COLUMNS: dict[str, str] = {"name": "name", "bdate": "date", "byear": "years", "doc": "document"}

# MinHash bands of the name filter for blocking encoded records: B bands of R minima each.
LSH_BANDS = 12
LSH_ROWS = 3
_LSH_SEED = 20240611  # not secret: the band keys never leave Varde


@dataclass
class PprlBatch:
    """What the pipeline needs to link a batch of which some records arrived encoded."""

    scheme: Scheme
    encoded: np.ndarray  # bool per record
    # the interchange table with the identifying columns emptied on encoded records
    table: pa.Table
    # replacements for the prepared `phone` and `document` columns (filter digests, every record)
    replace: dict[str, pa.Array]
    # the engine's extra columns (see FILTER_COLUMNS)
    columns: dict[str, pa.Array]
    # blocking keys that pair an encoded record with any other, per record, uncapped
    keys: list[list[str]]

    @property
    def words(self) -> dict[str, int]:
        """64-bit words per compared filter, by engine column prefix."""
        return {prefix: self.scheme.stored_bits(SPECS[name]) // 64 for prefix, name in FILTER_COLUMNS.items()}


def _column(rows: pa.Table | Sequence[Mapping[str, object]], name: str) -> list[str]:
    if isinstance(rows, pa.Table):
        if name not in rows.column_names:
            return [""] * rows.num_rows
        return [("" if v is None else str(v)).strip() for v in rows.column(name).to_pylist()]
    return [str(r.get(name) or "").strip() for r in rows]


def encoded_mask(rows: pa.Table | Sequence[Mapping[str, object]]) -> np.ndarray:
    """Per record: does it carry any encoding?"""
    n = rows.num_rows if isinstance(rows, pa.Table) else len(rows)
    mask = np.zeros(n, dtype=bool)
    for column in PPRL_COLUMNS:
        mask |= np.array([bool(v) for v in _column(rows, column)], dtype=bool)
    return mask


def prepare_batch(
    rows: pa.Table | Sequence[Mapping[str, object]], interchange: pa.Table, key: PprlKey | None
) -> PprlBatch | None:
    """None when no record is encoded (the linkage is then exactly the plaintext one). Otherwise the
    encoded records' filters decoded and the plaintext records' filters computed with the same key
    and scheme. `interchange` is `preprocess.interchange_table(rows)`."""
    encoded = encoded_mask(rows)
    if not encoded.any():
        return None
    if key is None:
        raise PprlError(
            f"{int(encoded.sum())} records carry encodings: the linkage key is needed "
            f"(set {KEY_ENV} or pass --key-file)"
        )
    values = {column: _column(rows, column) for column in PPRL_COLUMNS}
    scheme = scheme_of(v for vs in values.values() for v in vs)
    encoder = Encoder(key, scheme or DEFAULT_SCHEME)
    n = len(encoded)
    plain = {name: _column(interchange, name) for name in (*IDENTIFYING_COLUMNS, "referral_date")}

    name_f: list[np.ndarray | None] = [None] * n
    date_f: list[np.ndarray | None] = [None] * n
    year_f: list[np.ndarray | None] = [None] * n
    phone_f: list[np.ndarray | None] = [None] * n
    doc_f: list[np.ndarray | None] = [None] * n
    # names, dates, phones and encodings repeat: each distinct one is encoded or decoded once
    decoded: dict[tuple[str, str], list[np.ndarray]] = {}
    names: dict[tuple[str, str], np.ndarray | None] = {}
    births: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray] | None] = {}
    phones: dict[str, np.ndarray | None] = {}
    documents: dict[str, np.ndarray | None] = {}

    for i in range(n):
        if encoded[i]:
            for column in PPRL_COLUMNS:
                value = values[column][i]
                if not value:
                    continue
                if (column, value) not in decoded:
                    decoded[(column, value)] = encoder.decode(column, value)
                parts = decoded[(column, value)]
                if column == "name_clk":
                    name_f[i] = parts[0]
                elif column == "birth_clk":
                    date_f[i], year_f[i] = parts
                elif column == "phone_clk":
                    phone_f[i] = parts[0]
                else:
                    doc_f[i] = parts[0]
            continue
        name = (plain["given_name"][i], plain["family_name"][i])
        if name not in names:
            names[name] = encoder.name_filter(*name)
        name_f[i] = names[name]
        birth_of = (plain["date_of_birth"][i], plain["estimated_age"][i], plain["referral_date"][i])
        if birth_of not in births:
            births[birth_of] = encoder.birth_filters(*birth_of)
        birth = births[birth_of]
        if birth is not None:
            date_f[i], year_f[i] = birth
        phone, document = plain["phone"][i], plain["id_document_number"][i]
        if phone not in phones:
            phones[phone] = encoder.phone_filter(phone)
        if document not in documents:
            documents[document] = encoder.document_filter(document)
        phone_f[i], doc_f[i] = phones[phone], documents[document]

    enc_array = pa.array(encoded.tolist(), pa.bool_())
    emptied = {
        name: (
            pc.if_else(enc_array, pa.scalar(None, pa.string()), interchange.column(name))
            if name in IDENTIFYING_COLUMNS
            else interchange.column(name)
        )
        for name in interchange.column_names
    }
    ints, strings = pa.list_(pa.int64()), pa.string()
    columns: dict[str, pa.Array] = {"enc": enc_array}
    for prefix, filters in (("name", name_f), ("bdate", date_f), ("byear", year_f), ("doc", doc_f)):
        columns[f"{prefix}_w"] = pa.array([words(f) for f in filters], ints)
        columns[f"{prefix}_n"] = pa.array([None if f is None else int(f.sum()) for f in filters], pa.int64())
    columns["name_tok"] = pa.array([token(f) for f in name_f], strings)
    replace = {
        "phone": pa.array([token(f) for f in phone_f], strings),
        "document": pa.array([token(f) for f in doc_f], strings),
    }
    keys = _blocking_keys(name_f, date_f)
    return PprlBatch(encoder.scheme, encoded, pa.table(emptied), replace, columns, keys)


def _blocking_keys(names: Sequence[np.ndarray | None], dates: Sequence[np.ndarray | None]) -> list[list[str]]:
    """Per record: the name filter's digest, its MinHash bands (names whose filters overlap much share
    one with high probability: a band of R minima agrees with probability J^R, J the filters' Jaccard
    similarity), and each band with the birth date filter's digest (for names too common to block on
    alone)."""
    out: list[list[str]] = [[] for _ in names]
    size = next((f.size for f in names if f is not None), 0)
    if not size:
        return out
    rng = np.random.default_rng(_LSH_SEED)
    ranks = np.stack([rng.permutation(size) for _ in range(LSH_BANDS * LSH_ROWS)])  # (hashes, l)
    bands: dict[str, list[str]] = {}  # per distinct name filter
    for i, name in enumerate(names):
        if name is None:
            continue
        tok = token(name)
        assert tok is not None
        if tok not in bands:
            minima = ranks[:, np.flatnonzero(name)].min(axis=1).reshape(LSH_BANDS, LSH_ROWS)
            bands[tok] = [f"{b}:{'-'.join(map(str, row))}" for b, row in enumerate(minima.tolist())]
        date = dates[i]
        date_tok = token(date) if date is not None and date.any() else None
        keys = [f"p:n{tok}", *(f"p:l{band}" for band in bands[tok])]
        if date_tok:
            keys.extend(f"p:b{band}|{date_tok}" for band in bands[tok])
        out[i] = keys
    return out

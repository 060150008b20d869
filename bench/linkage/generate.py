"""Synthetic referrals for linkage benchmarks and tests: several agencies per person, realistic errors.

Nothing here is a real person. Names come from small per-country pools with skewed (Zipf-like)
frequencies, so that strangers share common names as they do in the caseload. Nationalities are
shaped like Norway's KOM caseload (Nigeria by far the largest group, then Romania, Bulgaria ...).

Per record the generator applies the corruptions the issue lists: transliteration variants and
Cyrillic / Latin script, dropped diacritics, family name first, an extra or missing name part, a
typo; a birth date written exactly, or only an estimated age, or defaulted to 1 January, or with
day and month swapped, or missing; wrong or missing sex and nationality; phone and document in
different formats, a new phone number over time, an OCR error in a document number. Some persons
also appear under a false identity: some false identities share the person's phone or document,
some share nothing at all (unlinkable by anyone; the benchmark's ceiling accounts for that). A few
"network" phones are shared by several different victims of the same exploiter.

    python bench/linkage/generate.py --records 4000 --out /tmp/records.csv --truth /tmp/truth.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = (
    "record_id",
    "reporting_agency",
    "referral_date",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "estimated_age",
    "nationality",
    "phone",
    "id_document_number",
    "municipality",
)

# Caseload shape (share of persons), Nigeria the largest group as in KOM's reports.
NATIONALITIES: dict[str, float] = {
    "NG": 0.38,
    "RO": 0.09,
    "BG": 0.05,
    "LT": 0.03,
    "PL": 0.03,
    "UA": 0.04,
    "RU": 0.02,
    "VN": 0.05,
    "TH": 0.03,
    "CN": 0.03,
    "PH": 0.02,
    "SO": 0.04,
    "ER": 0.03,
    "AF": 0.03,
    "SY": 0.02,
    "MA": 0.02,
    "GH": 0.03,
    "AL": 0.02,
    "BR": 0.02,
    "NO": 0.02,
}
WRONG_NATIONALITY = {
    "NG": "GH",
    "GH": "NG",
    "RO": "BG",
    "BG": "RO",
    "UA": "RU",
    "RU": "UA",
    "ER": "SO",
    "SO": "ER",
    "LT": "PL",
    "PL": "LT",
    "VN": "CN",
    "CN": "VN",
    "AF": "SY",
    "SY": "AF",
}

_WEST_AFRICA_F = (
    "Blessing",
    "Joy",
    "Precious",
    "Faith",
    "Gift",
    "Mercy",
    "Peace",
    "Favour",
    "Esther",
    "Grace",
    "Happiness",
    "Success",
    "Sandra",
    "Osas",
    "Efe",
    "Ese",
    "Oghogho",
    "Osarumen",
    "Eki",
    "Itohan",
    "Loveth",
    "Patience",
    "Vivian",
    "Glory",
    "Jennifer",
    "Rita",
    "Queen",
    "Princess",
    "Evelyn",
    "Comfort",
    "Ifeoma",
    "Chioma",
    "Ngozi",
    "Adaeze",
    "Nneka",
    "Funmilayo",
    "Aisha",
    "Hauwa",
)
_WEST_AFRICA_M = (
    "Osagie",
    "Emeka",
    "Chinedu",
    "Samuel",
    "Daniel",
    "Godwin",
    "Friday",
    "Sunday",
    "Efosa",
    "Osaro",
    "Ikechukwu",
    "Oluwaseun",
    "Ibrahim",
    "Musa",
    "Kelvin",
    "Prince",
)
_WEST_AFRICA_FAM = (
    "Okafor",
    "Eze",
    "Adeyemi",
    "Osagie",
    "Igbinovia",
    "Omoregie",
    "Ehigiator",
    "Uwadiae",
    "Edosomwan",
    "Obaseki",
    "Idahosa",
    "Aigbe",
    "Okoro",
    "Nwosu",
    "Ogbonna",
    "Okon",
    "Bassey",
    "Johnson",
    "Williams",
    "Musa",
    "Osayande",
    "Iyamu",
    "Ogiemwonyi",
    "Agbonlahor",
    "Erhabor",
    "Imasuen",
    "Ekhator",
    "Aghedo",
    "Nosakhare",
    "Osunde",
    "Ighodaro",
    "Asemota",
    "Okojie",
    "Oronsaye",
    "Ogbebor",
    "Akhigbe",
    "Igiebor",
    "Omorogbe",
    "Ebohon",
    "Usman",
    "Mensah",
    "Owusu",
)

POOLS: dict[str, tuple[Sequence[str], Sequence[str], Sequence[str]]] = {
    "NG": (_WEST_AFRICA_F, _WEST_AFRICA_M, _WEST_AFRICA_FAM),
    "GH": (
        ("Akosua", "Ama", "Abena", "Efua", "Grace", "Comfort", "Mercy"),
        ("Kwame", "Kofi", "Yaw", "Kwabena"),
        ("Mensah", "Owusu", "Boateng", "Asante", "Osei", "Appiah", "Agyeman"),
    ),
    "RO": (
        (
            "Maria",
            "Elena",
            "Ioana",
            "Andreea",
            "Mihaela",
            "Ana",
            "Florentina",
            "Alexandra",
            "Daniela",
            "Ramona",
            "Nicoleta",
            "Denisa",
        ),
        ("Ion", "Gheorghe", "Mihai", "Constantin", "Florin", "Marian", "Alexandru", "Nicolae", "Vasile"),
        (
            "Popescu",
            "Ionescu",
            "Popa",
            "Stan",
            "Dumitru",
            "Constantin",
            "Stoica",
            "Rostas",
            "Lingurar",
            "Lacatus",
            "Munteanu",
            "Florea",
            "Radu",
            "Moldovan",
            "Zamfir",
            "Serban",
            "Dinu",
        ),
    ),
    "BG": (
        ("Мария", "Елена", "Иванка", "Десислава", "Петя", "Йорданка", "Силвия"),
        ("Георги", "Иван", "Димитър", "Петър", "Николай"),
        ("Иванова", "Петрова", "Георгиева", "Димитрова", "Стоянова", "Асенова", "Костадинова"),
    ),
    "UA": (
        ("Олена", "Наталія", "Юлія", "Тетяна", "Ірина", "Світлана", "Оксана", "Марія"),
        ("Олександр", "Сергій", "Андрій", "Дмитро"),
        ("Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Мельник", "Бойко"),
    ),
    "RU": (
        ("Наталья", "Елена", "Юлия", "Татьяна", "Ирина", "Светлана", "Екатерина", "Ольга"),
        ("Александр", "Сергей", "Андрей", "Дмитрий"),
        ("Иванова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Волкова"),
    ),
    "LT": (
        ("Rasa", "Asta", "Jurgita", "Kristina", "Ieva", "Laura"),
        ("Tomas", "Mantas", "Darius"),
        ("Kazlauskaite", "Jankauskaite", "Petrauskaite", "Stankeviciute", "Vasiliauskaite"),
    ),
    "PL": (
        ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna"),
        ("Piotr", "Tomasz", "Marek", "Paweł"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski"),
    ),
    "VN": (
        ("Thị Lan", "Thị Hoa", "Thị Mai", "Thị Hương", "Ngọc Anh", "Thu Trang"),
        ("Văn An", "Văn Minh", "Đức Anh", "Văn Hùng", "Quang Huy", "Văn Nam"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"),
    ),
    "TH": (
        ("Somchai", "Malee", "Siriporn", "Nok", "Ploy", "Kanya"),
        ("Somsak", "Anan", "Niran"),
        ("Srisuk", "Saetang", "Wongsawat", "Boonmee", "Chaiyaporn"),
    ),
    "CN": (
        ("Wei", "Fang", "Li", "Na", "Ying", "Xiu"),
        ("Wei", "Jun", "Lei", "Hao", "Liang"),
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang"),
    ),
    "PH": (
        ("Maria", "Jocelyn", "Rowena", "Marites", "Analyn"),
        ("Jose", "Rodel", "Mark"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Garcia"),
    ),
    "SO": (
        ("Fatima", "Amina", "Hodan", "Aisha", "Khadija", "Sahra", "Ifrah"),
        ("Mohamed", "Abdi", "Ahmed", "Hassan", "Ali", "Abdullahi", "Yusuf"),
        ("Mohamed", "Ali", "Hassan", "Abdi", "Warsame", "Farah", "Ahmed", "Yusuf", "Omar"),
    ),
    "ER": (
        ("Senait", "Helen", "Yohana", "Selam", "Freweini"),
        ("Yonas", "Tesfay", "Dawit", "Mehari"),
        ("Tesfaye", "Gebremedhin", "Haile", "Kidane", "Berhane", "Tekle"),
    ),
    "AF": (
        ("Fatima", "Zahra", "Maryam", "Khadija"),
        ("Mohammad", "Ahmad", "Ali", "Hussain", "Mustafa", "Reza"),
        ("Ahmadi", "Rahimi", "Hussaini", "Mohammadi", "Karimi", "Sultani", "Hosseini"),
    ),
    "SY": (
        ("Fatima", "Aisha", "Rasha", "Lina", "Nour"),
        ("Mohammed", "Ahmad", "Omar", "Khaled", "Youssef"),
        ("Al-Hassan", "Al-Ahmad", "Khalil", "Haddad", "Hamdan", "Darwish"),
    ),
    "MA": (
        ("Fatima", "Khadija", "Samira", "Nadia"),
        ("Mohamed", "Youssef", "Hamza", "Karim"),
        ("El Amrani", "Benali", "Bennani", "Alaoui", "Tazi"),
    ),
    "AL": (
        ("Elira", "Anila", "Mirela", "Jonida"),
        ("Arben", "Besnik", "Gentian"),
        ("Hoxha", "Shehu", "Dervishi"),
    ),
    "BR": (
        ("Ana", "Juliana", "Fernanda", "Camila"),
        ("Carlos", "Rafael", "Lucas"),
        ("Silva", "Santos", "Oliveira"),
    ),
    "NO": (("Ida", "Nora", "Emma", "Sara"), ("Jonas", "Emil", "Kristian"), ("Hansen", "Johansen", "Olsen")),
}

# Spelling variants a caseworker may write for a name (transliteration, dropped letters).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "Mohamed": ("Mohammed", "Muhammad", "Mohamad", "Mohammad", "Muhammed"),
    "Mohammed": ("Mohamed", "Muhammad", "Mohammad"),
    "Mohammad": ("Mohammed", "Muhammad", "Mohamad"),
    "Ahmed": ("Ahmad", "Ahmet"),
    "Ahmad": ("Ahmed",),
    "Hussain": ("Hussein", "Husain", "Hosein"),
    "Yusuf": ("Yousef", "Youssef", "Yusef"),
    "Youssef": ("Yusuf", "Yousef"),
    "Fatima": ("Fatma", "Fatimah"),
    "Aisha": ("Aysha", "Ayesha", "Aicha"),
    "Khadija": ("Khadijah", "Kadija"),
    "Osarumen": ("Osarumwen",),
    "Itohan": ("Itoham",),
    "Oghogho": ("Ogogho",),
    "Igbinovia": ("Igbinoba",),
    "Ehigiator": ("Ehigiatior",),
    "Favour": ("Favor",),
    "Omoregie": ("Omoreige",),
    "Edosomwan": ("Edosonwan",),
    "Ogiemwonyi": ("Ogiemwony",),
    "Rostas": ("Rostaş",),
    "Lacatus": ("Lăcătuş",),
    "Serban": ("Şerban",),
    "Stoica": ("Stoika",),
    "Kazlauskaite": ("Kazlauskaitė",),
    "Wiśniewski": ("Wisniewski",),
    "Paweł": ("Pawel",),
    "Nguyễn": ("Nguyen", "Ngyuen"),
    "Trần": ("Tran",),
    "Lê": ("Le",),
    "Phạm": ("Pham",),
    "Đặng": ("Dang",),
    "Tesfaye": ("Tesfay",),
    "Gebremedhin": ("Gebre Medhin", "Gebremedin"),
}
LATIN_OF: dict[str, tuple[str, ...]] = {
    "Наталья": ("Natalya", "Natalia", "Nataliya"),
    "Наталія": ("Nataliia", "Natalia", "Nataliya"),
    "Елена": ("Elena", "Yelena", "Jelena"),
    "Олена": ("Olena", "Elena"),
    "Юлия": ("Yulia", "Julia", "Yuliya"),
    "Юлія": ("Yuliia", "Yulia", "Julia"),
    "Тетяна": ("Tetiana", "Tatiana", "Tetyana"),
    "Татьяна": ("Tatyana", "Tatiana"),
    "Сергій": ("Serhii", "Sergii", "Sergey"),
    "Сергей": ("Sergey", "Sergei"),
    "Екатерина": ("Ekaterina", "Yekaterina"),
    "Олександр": ("Oleksandr", "Alexander"),
    "Александр": ("Aleksandr", "Alexander"),
    "Дмитро": ("Dmytro", "Dmitri"),
    "Дмитрий": ("Dmitriy", "Dmitry"),
}

AGENCIES: tuple[str, ...] = (
    "oslo-pd-stop",
    "vest-pd-exit",
    "sor-vest-pd",
    "trondelag-pd",
    "innlandet-pd",
    "ost-pd",
    "politiets-utlendingsenhet",
    "udi",
    "bufetat-ost",
    "bufetat-vest",
    "oslo-barnevern",
    "bergen-barnevern",
    "rosa",
    "lauras-hus",
    "kirkens-bymisjon",
    "reddbarna",
    "pro-sentret",
    "nav-grunerlokka",
    "arbeidstilsynet",
    "iom-oslo",
    "uteseksjonen",
    "krisesenter-oslo",
    "helse-ost",
    "stavanger-krisesenter",
)
MUNICIPALITIES = ("0301", "4601", "1103", "5001", "3005", "3201", "4204", "1804", "3024", "3403")


# Family names have a long tail in every population; a few common ones plus many rarer ones built
# from each language's syllables (so rare names still look like names of that origin).
_SYLLABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "west_africa": (
        (
            "O",
            "E",
            "I",
            "A",
            "Osa",
            "Omo",
            "Igbi",
            "Ehi",
            "Edo",
            "Uwa",
            "Ogbe",
            "Ako",
            "Nwa",
            "Obi",
            "Oke",
            "Chi",
            "Ade",
            "Olu",
            "Ife",
            "Ama",
        ),
        (
            "gie",
            "regie",
            "novia",
            "gbon",
            "samwen",
            "hon",
            "yemi",
            "kwu",
            "fo",
            "zie",
            "rhie",
            "mwonyi",
            "diae",
            "rumwen",
            "lahor",
            "dola",
            "wale",
            "nna",
            "ji",
            "ye",
            "kpo",
            "sere",
        ),
    ),
    "romance": (
        (
            "Pop",
            "Ion",
            "Dum",
            "Stan",
            "Flor",
            "Rad",
            "Mun",
            "Cost",
            "Bal",
            "Nic",
            "Mar",
            "Drag",
            "Vas",
            "Tud",
            "Bur",
            "Chir",
        ),
        ("escu", "ea", "itru", "oiu", "ache", "anu", "ovici", "el", "uta", "ariu"),
    ),
    "slavic": (
        (
            "Iv",
            "Petr",
            "Kov",
            "Shev",
            "Bond",
            "Tkach",
            "Kravch",
            "Mel",
            "Sokol",
            "Volk",
            "Kuzn",
            "Nov",
            "Wis",
            "Kam",
            "Lew",
            "Stoj",
            "Dim",
            "Georg",
            "Kost",
        ),
        ("anova", "ova", "enko", "chuk", "ska", "iak", "ieva", "ovska", "owski", "ak", "ich", "ev"),
    ),
    "baltic": (
        ("Kazl", "Jank", "Petr", "Stank", "Vasil", "Butk", "Mick", "Paul"),
        ("auskaite", "eviciute", "iene", "ute", "aite"),
    ),
    "east_asia": (
        ("Ng", "Tr", "L", "Ph", "Ho", "V", "D", "B", "Do", "Zh", "W", "Ch", "Y", "S"),
        ("uyen", "an", "e", "am", "ang", "u", "ang", "ui", "o", "ao", "ei", "en", "ong", "in"),
    ),
    "horn_arab": (
        (
            "Abdi",
            "Ali",
            "Has",
            "Mohamed",
            "War",
            "Far",
            "Ah",
            "Yus",
            "Om",
            "Ab",
            "Kha",
            "Ha",
            "Dar",
            "Ka",
            "Rah",
            "Sul",
            "Tes",
            "Gebre",
            "Kid",
            "Ber",
            "Tek",
            "Hai",
        ),
        (
            "san",
            "ah",
            "med",
            "uf",
            "ar",
            "ame",
            "dalla",
            "lil",
            "wish",
            "rimi",
            "imi",
            "tani",
            "faye",
            "ane",
            "le",
            "hane",
            "medhin",
            "di",
        ),
    ),
    "other": (
        ("Hox", "She", "Der", "Sil", "San", "Oli", "Han", "Ols", "Sri", "Sae", "Won", "Boon", "Rey", "Cru"),
        ("ha", "hu", "vishi", "va", "tos", "veira", "sen", "suk", "tang", "sawat", "mee", "es", "z"),
    ),
}
_GROUP = {
    "NG": "west_africa",
    "GH": "west_africa",
    "RO": "romance",
    "BG": "slavic",
    "UA": "slavic",
    "RU": "slavic",
    "PL": "slavic",
    "LT": "baltic",
    "VN": "east_asia",
    "CN": "east_asia",
    "TH": "other",
    "PH": "other",
    "SO": "horn_arab",
    "ER": "horn_arab",
    "AF": "horn_arab",
    "SY": "horn_arab",
    "MA": "horn_arab",
    "AL": "other",
    "BR": "other",
    "NO": "other",
}


def _long_tail(group: str, size: int = 150) -> list[str]:
    rng = random.Random(group)
    starts, ends = _SYLLABLES[group]
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < size:
        name = rng.choice(starts) + (
            rng.choice(ends) if rng.random() < 0.7 else rng.choice(ends) + rng.choice(ends)
        )
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


_TAILS = {group: _long_tail(group) for group in _SYLLABLES}
COMMON_FAMILY_SHARE = 0.35  # the most common family name ends up near 4 % of a nationality


def _family_name(rng: random.Random, nationality: str) -> str:
    if rng.random() < COMMON_FAMILY_SHARE:
        return _zipf_pick(rng, POOLS[nationality][2], s=0.8)
    return _zipf_pick(rng, _TAILS[_GROUP[nationality]], s=0.6)


@dataclass
class Person:
    pid: int
    nationality: str
    sex: str
    given: str
    family: str
    dob: dt.date
    phone: str | None
    document: str | None
    country_code: str
    identities: list[dict[str, object]] = field(default_factory=list)


def _zipf_pick(rng: random.Random, pool: Sequence[str], s: float = 1.1) -> str:
    weights = [1.0 / (i + 1) ** s for i in range(len(pool))]
    return rng.choices(pool, weights=weights, k=1)[0]


_CC = {
    "NG": "234",
    "GH": "233",
    "RO": "40",
    "BG": "359",
    "UA": "380",
    "RU": "7",
    "LT": "370",
    "PL": "48",
    "VN": "84",
    "TH": "66",
    "CN": "86",
    "PH": "63",
    "SO": "252",
    "ER": "291",
    "AF": "93",
    "SY": "963",
    "MA": "212",
    "AL": "355",
    "BR": "55",
    "NO": "47",
}


def _new_phone(rng: random.Random, country: str) -> tuple[str, str]:
    """(country code, national digits). Most victims in Norway carry a Norwegian number."""
    if rng.random() < 0.65:
        return "47", str(rng.choice("49")) + "".join(rng.choice("0123456789") for _ in range(7))
    return _CC[country], str(rng.randint(7, 9)) + "".join(rng.choice("0123456789") for _ in range(8))


def _format_phone(rng: random.Random, cc: str, national: str) -> str:
    style = rng.random()
    if cc == "47":
        if style < 0.4:
            return national
        if style < 0.7:
            return f"+47 {national[:3]} {national[3:5]} {national[5:]}"
        if style < 0.85:
            return f"0047{national}"
        return f"+47{national}"
    if style < 0.5:
        return f"+{cc} {national}"
    if style < 0.75:
        return f"00{cc}{national}"
    return "0" + national


def _new_document(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return rng.choice(letters) + rng.choice(letters) + "".join(rng.choice("0123456789") for _ in range(7))


def _format_document(rng: random.Random, doc: str) -> str:
    style = rng.random()
    if style < 0.6:
        return doc
    if style < 0.75:
        return doc.lower()
    if style < 0.9:
        return f"{doc[:2]} {doc[2:5]} {doc[5:]}"
    return f"{doc[:2]}-{doc[2:]}"


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1 :]
    if kind < 0.7:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeinorst") + text[i + 1 :]


def _spell(rng: random.Random, name: str) -> str:
    out = []
    for part in name.split():
        if part in LATIN_OF and rng.random() < 0.7:
            part = rng.choice(LATIN_OF[part])
        elif part in SPELLINGS and rng.random() < 0.45:
            part = rng.choice(SPELLINGS[part])
        out.append(part)
    return " ".join(out)


def _latin(text: str) -> str:
    from unidecode import unidecode

    return unidecode(text)


def _make_person(rng: random.Random, pid: int) -> Person:
    nationality = rng.choices(list(NATIONALITIES), weights=list(NATIONALITIES.values()), k=1)[0]
    female, male, families = POOLS[nationality]
    sex = (
        "F"
        if rng.random() < (0.8 if nationality in {"NG", "RO", "BG", "TH", "UA", "RU", "LT"} else 0.5)
        else "M"
    )
    given = _zipf_pick(rng, female if sex == "F" else male, s=0.9)  # "Blessing" ~15 % of Nigerian women
    if rng.random() < 0.12 and nationality not in {"VN", "CN", "TH"}:
        given = f"{given} {_zipf_pick(rng, female if sex == 'F' else male)}"
        if given.split()[0] == given.split()[1]:
            given = given.split()[0]
    family = _family_name(rng, nationality)
    age = rng.choices(
        [rng.randint(13, 17), rng.randint(18, 25), rng.randint(26, 45)], weights=[0.25, 0.45, 0.3]
    )[0]
    ref_year = rng.randint(2008, 2012)
    dob = dt.date(ref_year - age, rng.randint(1, 12), rng.randint(1, 28))
    phone_cc, phone = _new_phone(rng, nationality) if rng.random() < 0.7 else ("", None)
    document = _new_document(rng) if rng.random() < 0.55 else None
    return Person(pid, nationality, sex, given, family, dob, phone, document, phone_cc)


def _render_record(
    rng: random.Random,
    person: Person,
    identity: dict[str, object],
    when: dt.date,
    agency: str,
    network_phone: str | None,
) -> dict[str, str]:
    given, family = str(identity["given"]), str(identity["family"])
    given, family = _spell(rng, given), _spell(rng, family)
    if person.nationality in {"BG", "UA", "RU"} and rng.random() < 0.55:
        given, family = _latin(given), _latin(family)
    elif rng.random() < 0.5:
        given, family = _latin(given), _latin(family)  # diacritics dropped
    if rng.random() < 0.07 and len(given.split()) > 1:
        given = given.split()[0]
    elif rng.random() < 0.05:
        given = f"{given} {_zipf_pick(rng, POOLS[person.nationality][0 if person.sex == 'F' else 1])}"
    if rng.random() < 0.10:
        if rng.random() < 0.5:
            given = _typo(rng, given)
        else:
            family = _typo(rng, family)
    swap = 0.4 if person.nationality in {"VN", "CN"} else 0.15
    if rng.random() < swap:
        given, family = family, given
    if rng.random() < 0.04:
        given = ""
    elif rng.random() < 0.04:
        family = ""
    dob: dt.date = identity["dob"]  # type: ignore[assignment]
    age = when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))
    date_of_birth, estimated_age = "", ""
    roll = rng.random()
    if roll < 0.50:
        date_of_birth = dob.isoformat()
    elif roll < 0.55 and dob.day <= 12 and dob.day != dob.month:
        date_of_birth = dt.date(dob.year, dob.day, dob.month).isoformat()
    elif roll < 0.63:
        date_of_birth = dt.date(dob.year + rng.choice((-1, 0, 0, 1)), 1, 1).isoformat()
    elif roll < 0.95:
        estimated_age = str(max(10, age + rng.choice((-3, -2, -1, -1, 0, 0, 0, 1, 1, 2, 3))))
    sex = person.sex if rng.random() > 0.05 else ""
    if rng.random() < 0.01:
        sex = "M" if person.sex == "F" else "F"
    nationality = str(identity["nationality"])
    if rng.random() < 0.10:
        nationality = ""
    elif rng.random() < 0.05:
        nationality = WRONG_NATIONALITY.get(nationality, nationality)
    phone = ""
    current_phone = identity.get("phone")
    if network_phone is not None:
        phone = network_phone
    elif current_phone and rng.random() < 0.65:
        phone = _format_phone(rng, str(identity["phone_cc"]), str(current_phone))
    document = ""
    if identity.get("document") and rng.random() < 0.6:
        doc = str(identity["document"])
        if rng.random() < 0.03:
            doc = doc[:-1] + rng.choice("0123456789")
        document = _format_document(rng, doc)
    return {
        "reporting_agency": agency,
        "referral_date": when.isoformat(),
        "given_name": given,
        "family_name": family,
        "sex": sex,
        "date_of_birth": date_of_birth,
        "estimated_age": estimated_age,
        "nationality": nationality,
        "phone": phone,
        "id_document_number": document,
        "municipality": rng.choice(MUNICIPALITIES),
    }


def _false_identity(rng: random.Random, person: Person, pid_rng_pool: Sequence[str]) -> dict[str, object]:
    """A false identity: another name, another birth date; shares the phone, the document, or nothing."""
    nationality = rng.choice(pid_rng_pool) if rng.random() < 0.5 else person.nationality
    female, male, families = POOLS[nationality]
    given = _zipf_pick(rng, female if person.sex == "F" else male)
    family = _family_name(rng, nationality)
    dob = dt.date(person.dob.year + rng.choice((-4, -3, -2, 2, 3, 4)), rng.randint(1, 12), rng.randint(1, 28))
    shares = rng.choices(("phone", "document", "nothing"), weights=(0.4, 0.25, 0.35))[0]
    return {
        "given": given,
        "family": family,
        "dob": dob,
        "nationality": nationality,
        "phone": person.phone if shares == "phone" and person.phone else None,
        "phone_cc": person.country_code,
        "document": (person.document if shares == "document" and person.document else _new_document(rng)),
        "shares": shares,
    }


def generate(n_records: int, seed: int = 7) -> tuple[list[dict[str, str]], dict[str, tuple[int, int]]]:
    """Return (rows in interchange format, truth: record_id -> (person id, identity number))."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    truth: dict[str, tuple[int, int]] = {}
    networks = [
        f"+47 {rng.choice('49')}{rng.randint(1000000, 9999999)}" for _ in range(max(1, n_records // 400))
    ]
    pid = 0
    while len(rows) < n_records:
        person = _make_person(rng, pid)
        true_identity: dict[str, object] = {
            "given": person.given,
            "family": person.family,
            "dob": person.dob,
            "nationality": person.nationality,
            "phone": person.phone,
            "phone_cc": person.country_code,
            "document": person.document,
            "shares": "",
        }
        identities = [true_identity]
        n = rng.choices((1, 2, 3, 4, 5, 6), weights=(0.42, 0.28, 0.16, 0.08, 0.04, 0.02))[0]
        start = dt.date(person.dob.year + 14, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 3))
        start = max(start, dt.date(2008, 1, 1))
        agencies = rng.sample(AGENCIES, k=min(n, len(AGENCIES)))
        alias: dict[str, object] | None = None
        for k in range(n):
            identity = true_identity
            if k > 0 and rng.random() < 0.10:
                if alias is None:
                    alias = _false_identity(rng, person, list(NATIONALITIES))
                identities.append(alias)
                identity = alias
            if k > 0 and person.phone and rng.random() < 0.15 and identity is true_identity:
                cc, number = _new_phone(rng, person.nationality)  # a new SIM card
                true_identity = {**true_identity, "phone": number, "phone_cc": cc}
                identity = true_identity
            when = start + dt.timedelta(days=rng.randint(0, 500))
            agency = agencies[k] if k < len(agencies) else rng.choice(AGENCIES)
            network_phone = rng.choice(networks) if rng.random() < 0.02 else None
            row = _render_record(rng, person, identity, when, agency, network_phone)
            record_id = f"R{len(rows) + 1:07d}"
            rows.append({"record_id": record_id, **row})
            identity_no = 0 if identity.get("shares", "") == "" else 1
            truth[record_id] = (pid, identity_no)
            if len(rows) >= n_records:
                break
        pid += 1
    rng.shuffle(rows)
    return rows, truth


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def write_truth(path: Path, truth: dict[str, tuple[int, int]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "person", "identity"])
        for record_id, (person, identity) in truth.items():
            writer.writerow([record_id, person, identity])


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Generate synthetic referrals (interchange CSV) with ground truth."
    )
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args()
    rows, truth = generate(args.records, args.seed)
    write_csv(args.out, rows)
    write_truth(args.truth, truth)
    print(f"{len(rows)} records of {len({p for p, _ in truth.values()})} persons")


if __name__ == "__main__":
    main()

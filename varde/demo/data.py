"""Demo reference data: the agencies the seed documents name, the personas, and name banks.

All persons generated from these banks are synthetic. Nationality weights follow the shape of
KOM's caseload (Nigeria the largest group, then Romania, Bulgaria, Lithuania, Albania ...), not
its exact figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from varde.accounts.models import AgencyKind, Role


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: str
    municipality: str = ""


OSLO, BERGEN = "0301", "4601"

AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency("kom", "KOM – Nasjonal koordineringsenhet for ofre for menneskehandel", AgencyKind.KOM, OSLO),
    DemoAgency("oslo-pd-stop", "Oslo politidistrikt – STOP-prosjektet", AgencyKind.POLICE_DISTRICT, OSLO),
    # Hordaland politidistrikt has been part of Vest politidistrikt since the police reform (2017).
    DemoAgency("vest-pd-exit", "Vest politidistrikt – EXIT-teamet", AgencyKind.POLICE_DISTRICT, BERGEN),
    DemoAgency("pu", "Politiets utlendingsenhet (PU)", AgencyKind.POLICE_IMMIGRATION, OSLO),
    DemoAgency("kripos", "Kripos", AgencyKind.POLICE_NATIONAL, OSLO),  # a national unit, not a district
    DemoAgency(
        "oslo-statsadvokat", "Oslo statsadvokatembeter (påtalemyndigheten)", AgencyKind.PROSECUTION, OSLO
    ),
    DemoAgency("udi", "Utlendingsdirektoratet (UDI)", AgencyKind.UDI, OSLO),
    DemoAgency("bufetat-ost", "Bufetat, region øst", AgencyKind.CHILD_WELFARE_STATE, OSLO),
    DemoAgency(
        "oslo-barnevern", "Barneverntjenesten i Oslo kommune", AgencyKind.CHILD_WELFARE_MUNICIPAL, OSLO
    ),
    DemoAgency(
        "rosa", "ROSA – hjelp til ofre for menneskehandel (Krisesentersekretariatet)", AgencyKind.NGO, OSLO
    ),
    DemoAgency("lauras-hus", "Lauras Hus", AgencyKind.SHELTER, OSLO),
    DemoAgency("oslo-krisesenter", "Oslo krisesenter", AgencyKind.SHELTER, OSLO),
    DemoAgency("nav-grunerlokka", "NAV Grünerløkka", AgencyKind.NAV, OSLO),
    # Uteseksjonen is the City of Oslo's outreach social service (Velferdsetaten).
    DemoAgency("uteseksjonen", "Uteseksjonen, Oslo kommune", AgencyKind.SOCIAL_SERVICES, OSLO),
    DemoAgency("pro-sentret", "Pro Sentret, Oslo kommune", AgencyKind.HEALTH, OSLO),
    DemoAgency("iom-oslo", "IOM Oslo", AgencyKind.IOM, OSLO),
    DemoAgency("redd-barna", "Redd Barna", AgencyKind.NGO, OSLO),
    DemoAgency("kirkens-bymisjon", "Kirkens Bymisjon", AgencyKind.NGO, OSLO),
    DemoAgency("arbeidstilsynet", "Arbeidstilsynet", AgencyKind.LABOUR_INSPECTION, OSLO),
    # Ministries (issue 19): their users report on the action plans' measures; they open no case.
    DemoAgency("dep-ud", "Utenriksdepartementet", AgencyKind.MINISTRY, OSLO),
    DemoAgency("dep-jd", "Justis- og politidepartementet", AgencyKind.MINISTRY, OSLO),
)

# The agency whose caseworker is the outsider: it never leads or joins a demo case.
OUTSIDER_AGENCY = "oslo-statsadvokat"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    agency: str
    role: str
    persona: str
    is_staff: bool = False

    @property
    def password(self) -> str:
        return f"varde-demo-{self.persona}-2026"


PERSONAS: tuple[DemoUser, ...] = (
    DemoUser("police.investigator", "Ingrid Haugen", "oslo-pd-stop", Role.CASEWORKER, "police"),
    DemoUser("childwelfare.caseworker", "Kari Nordby", "oslo-barnevern", Role.CASEWORKER, "childwelfare"),
    DemoUser("ngo.worker", "Sara Lind", "rosa", Role.CASEWORKER, "ngo"),
    DemoUser("kom.coordinator", "Per Bakken", "kom", Role.COORDINATOR, "coordinator"),
    DemoUser("analyst", "Anne Solberg", "kom", Role.ANALYST, "analyst"),
    DemoUser("outsider", "Ola Vik", OUTSIDER_AGENCY, Role.CASEWORKER, "outsider"),
    DemoUser("agency.admin", "Lise Berg", "oslo-pd-stop", Role.AGENCY_ADMIN, "agencyadmin"),
    DemoUser("sysadmin", "Jon Dahl", "kom", Role.SYSTEM_ADMIN, "sysadmin", is_staff=True),
    DemoUser("auditor", "Eva Moen", "kom", Role.AUDITOR, "auditor"),
    DemoUser("ministry.ud", "Marit Lie", "dep-ud", Role.MINISTRY, "ministry"),
)

# Every agency that leads demo cases has at least one caseworker. Where no persona works there, a
# staff user (no usable password: nobody signs in as them) reports and works the agency's cases.
STAFF_USERNAME = "demo.staff.{code}"


# --- nationalities --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nationality:
    code: str
    weight: int
    child_share: float  # share of this group's reports that are children
    female_adult: float  # share of adults who are women
    female_child: float
    languages: tuple[str, ...]
    given_f: tuple[str, ...]
    given_m: tuple[str, ...]
    family: tuple[str, ...]
    family_f: tuple[str, ...] = ()  # languages with gendered family names (lt, pl, bg)
    family_first: bool = False  # names customarily written family name first (vi, zh)
    phone_prefix: str = ""


NATIONALITIES: tuple[Nationality, ...] = (
    Nationality(
        "NG",
        26,
        0.15,
        0.92,
        0.8,
        ("en", "bin"),
        (
            "Blessing",
            "Precious",
            "Joy",
            "Faith",
            "Gift",
            "Mercy",
            "Favour",
            "Osaretin",
            "Osasu",
            "Efe",
            "Esohe",
            "Happiness",
            "Peace",
            "Success",
            "Glory",
            "Omosede",
        ),
        ("Osagie", "Emeka", "Chinedu", "Ikenna", "Ehi", "Sunday", "Godwin", "Osaro"),
        (
            "Osagie",
            "Okafor",
            "Eze",
            "Adeyemi",
            "Igbinosa",
            "Omoregie",
            "Edosa",
            "Ogbebor",
            "Iyamu",
            "Obaseki",
            "Aigbe",
            "Osayande",
            "Uwaifo",
            "Okonkwo",
        ),
        phone_prefix="+234",
    ),
    Nationality(
        "RO",
        12,
        0.32,
        0.5,
        0.5,
        ("ro",),
        ("Ioana", "Maria", "Elena", "Andreea", "Florentina", "Mihaela", "Ramona", "Georgiana"),
        ("Ștefan", "Ionuț", "Mihai", "Florin", "Marian", "Costel", "Gheorghe", "Nicușor", "Daniel"),
        (
            "Popescu",
            "Ionescu",
            "Constantin",
            "Stan",
            "Dumitru",
            "Lăcătuș",
            "Căldăraru",
            "Stoica",
            "Rădulescu",
            "Mihăilă",
        ),
        phone_prefix="+40",
    ),
    Nationality(
        "BG",
        7,
        0.1,
        0.65,
        0.6,
        ("bg",),
        ("Desislava", "Petya", "Gergana", "Ivanka", "Radka", "Mariya", "Tsvetelina"),
        ("Georgi", "Ivan", "Dimitar", "Nikolay", "Hristo", "Stoyan"),
        ("Georgiev", "Ivanov", "Petrov", "Dimitrov", "Angelov", "Kirilov", "Stoyanov"),
        ("Georgieva", "Ivanova", "Petrova", "Dimitrova", "Angelova", "Kirilova", "Stoyanova"),
        phone_prefix="+359",
    ),
    Nationality(
        "LT",
        5,
        0.15,
        0.6,
        0.6,
        ("lt",),
        ("Jurgita", "Rūta", "Eglė", "Kristina", "Aušra", "Inga", "Vaida"),
        ("Tomas", "Mindaugas", "Darius", "Žydrūnas", "Andrius", "Justinas"),
        ("Kazlauskas", "Petrauskas", "Jankauskas", "Vaitkus", "Žukauskas", "Balčiūnas"),
        ("Kazlauskaitė", "Petrauskaitė", "Jankauskaitė", "Vaitkutė", "Žukauskienė", "Balčiūnaitė"),
        phone_prefix="+370",
    ),
    Nationality(
        "AL",
        5,
        0.15,
        0.7,
        0.6,
        ("sq",),
        ("Elira", "Anxhela", "Klea", "Jonida", "Blerina", "Ermira", "Drita"),
        ("Arben", "Ergys", "Besnik", "Dritan", "Erjon", "Gëzim"),
        ("Hoxha", "Shehu", "Gjoni", "Kola", "Çela", "Dervishi", "Mema", "Leka"),
        phone_prefix="+355",
    ),
    Nationality(
        "SO",
        4,
        0.3,
        0.6,
        0.6,
        ("so",),
        ("Amina", "Hodan", "Fadumo", "Sahra", "Ayaan", "Hawa", "Ifrah"),
        ("Mohamed", "Abdi", "Abdullahi", "Yusuf", "Ahmed", "Hassan"),
        ("Mohamed", "Abdi", "Ali", "Hassan", "Warsame", "Farah", "Osman", "Jama"),
        phone_prefix="+252",
    ),
    Nationality(
        "VN",
        5,
        0.3,
        0.5,
        0.4,
        ("vi",),
        ("Thị Lan", "Thị Hoa", "Thị Mai", "Thị Hương", "Ngọc Anh", "Thị Thu"),
        ("Văn Minh", "Văn Hùng", "Đức Anh", "Quang Huy", "Văn Long"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"),
        family_first=True,
        phone_prefix="+84",
    ),
    Nationality(
        "ER",
        4,
        0.22,
        0.5,
        0.5,
        ("ti",),
        ("Senait", "Helen", "Saba", "Rahel", "Yohana", "Meron"),
        ("Tesfaye", "Yonas", "Dawit", "Filmon", "Mehari", "Robel"),
        ("Tesfamariam", "Ghebremedhin", "Haile", "Kidane", "Tekle", "Berhane"),
        phone_prefix="+291",
    ),
    Nationality(
        "TH",
        4,
        0.05,
        0.8,
        0.7,
        ("th",),
        ("Siriporn", "Nattaya", "Kanya", "Wanida", "Pornthip", "Lamai", "Malee"),
        ("Somchai", "Anan", "Niran", "Prasert", "Somsak"),
        ("Srisuk", "Wongsawat", "Chaiyaporn", "Sukprasert", "Boonmee", "Thongchai"),
        phone_prefix="+66",
    ),
    Nationality(
        "PH",
        3,
        0.05,
        0.75,
        0.7,
        ("tl", "en"),
        ("Maria Cristina", "Jocelyn", "Rowena", "Marites", "Lorna", "Analyn"),
        ("Rodel", "Arnel", "Jomar", "Reynaldo"),
        ("Santos", "Reyes", "Dela Cruz", "Bautista", "Villanueva", "Ramos", "Mendoza"),
        phone_prefix="+63",
    ),
    Nationality(
        "PL",
        4,
        0.02,
        0.2,
        0.5,
        ("pl",),
        ("Agnieszka", "Małgorzata", "Katarzyna", "Joanna"),
        ("Krzysztof", "Łukasz", "Paweł", "Tomasz", "Grzegorz", "Wojciech", "Marek"),
        ("Kowalski", "Wiśniewski", "Wójcik", "Zieliński", "Lewandowski", "Dąbrowski", "Nowak"),
        ("Kowalska", "Wiśniewska", "Wójcik", "Zielińska", "Lewandowska", "Dąbrowska", "Nowak"),
        phone_prefix="+48",
    ),
    Nationality(
        "CN",
        3,
        0.35,
        0.5,
        0.4,
        ("zh",),
        ("Mei", "Xiaoling", "Jing", "Hui", "Yan"),
        ("Wei", "Jun", "Hao", "Lei", "Qiang"),
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Lin"),
        family_first=True,
        phone_prefix="+86",
    ),
    Nationality(
        "MA",
        3,
        0.85,
        0.2,
        0.05,
        ("ar", "fr"),
        ("Fatima", "Khadija", "Salma"),
        ("Mohamed", "Youssef", "Amine", "Bilal", "Hamza", "Ayoub", "Karim"),
        ("El Amrani", "Benali", "Bouzid", "Haddad", "Mansouri", "El Idrissi"),
        phone_prefix="+212",
    ),
    Nationality(
        "DZ",
        2,
        0.85,
        0.2,
        0.05,
        ("ar", "fr"),
        ("Nadia", "Amel"),
        ("Mohamed", "Youcef", "Bilal", "Rachid", "Sofiane", "Walid"),
        ("Belkacem", "Benali", "Haddad", "Ait Ahmed", "Bouzid", "Meziane"),
        phone_prefix="+213",
    ),
    Nationality(
        "AF",
        3,
        0.6,
        0.3,
        0.15,
        ("fa", "ps"),
        ("Zahra", "Maryam", "Fatima", "Nilofar"),
        ("Mohammad", "Ahmad", "Mustafa", "Ali", "Reza", "Omid", "Hamid"),
        ("Ahmadi", "Hosseini", "Rahimi", "Karimi", "Mohammadi", "Sultani"),
        phone_prefix="+93",
    ),
    Nationality(
        "NO",
        3,
        0.4,
        0.75,
        0.8,
        ("nb",),
        ("Ida", "Nora", "Emma", "Thea", "Sofie", "Ingrid"),
        ("Jonas", "Martin", "Kristian", "Sander"),
        ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen"),
        phone_prefix="+47",
    ),
    Nationality(
        "BR",
        2,
        0.05,
        0.8,
        0.7,
        ("pt",),
        ("Ana", "Juliana", "Fernanda", "Camila"),
        ("Lucas", "Rafael"),
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira"),
        phone_prefix="+55",
    ),
)

# Spellings one name is found under in different agencies' records.
VARIANTS: dict[str, tuple[str, ...]] = {
    "Mohamed": ("Mohammed", "Muhammad", "Mohamad", "Mohammad"),
    "Mohammad": ("Muhammad", "Mohammed", "Mohamad"),
    "Ahmed": ("Ahmad", "Axmed"),
    "Ahmad": ("Ahmed",),
    "Yusuf": ("Yousef", "Youssef", "Yussuf"),
    "Youssef": ("Yusuf", "Youcef", "Yousef"),
    "Youcef": ("Youssef", "Yusuf"),
    "Abdullahi": ("Abdulahi", "Abdullah"),
    "Hassan": ("Xasan", "Hasan"),
    "Osman": ("Cusmaan", "Osmaan"),
    "Fadumo": ("Faduma", "Fatuma"),
    "Sahra": ("Sahro", "Sara"),
    "Hodan": ("Hodon",),
    "Tesfaye": ("Tesfay", "Tesfai"),
    "Yonas": ("Yohannes", "Jonas"),
    "Ghebremedhin": ("Gebremedhin", "Ghebremedin"),
    "Berhane": ("Berhe", "Berhani"),
    "Tesfamariam": ("Tesfamaryam", "Tesfa Mariam"),
    "Osaretin": ("Osaretinmwen", "Osa"),
    "Omoregie": ("Omoregbe",),
    "Igbinosa": ("Igbinossa",),
    "Okonkwo": ("Okonkow",),
    "Blessing": ("Blessings",),
    "Precious": ("Presious",),
    "Favour": ("Favor",),
    "Mariya": ("Maria", "Mariia"),
    "Tsvetelina": ("Cvetelina", "Tsveti"),
    "Nikolay": ("Nikolai",),
    "Hristo": ("Christo", "Khristo"),
    "Georgiev": ("Georgiew",),
    "Georgieva": ("Georgiewa",),
    "Xiaoling": ("Xiao Ling", "Hsiao-ling"),
    "Dela Cruz": ("De la Cruz", "Delacruz"),
    "Maria Cristina": ("Ma. Cristina", "Cristina"),
    "El Amrani": ("Elamrani", "Amrani"),
    "El Idrissi": ("Elidrissi", "Idrissi"),
    "Benali": ("Ben Ali",),
    "Ait Ahmed": ("Aitahmed",),
    "Hosseini": ("Hussaini", "Husseini"),
    "Mohammadi": ("Muhammadi", "Mohamadi"),
    "Sofiane": ("Sofian",),
    "Pornthip": ("Porntip",),
    "Boonmee": ("Bunmi",),
    "Ionuț": ("Ionut", "Ionutz"),
    "Nicușor": ("Nicusor", "Nicu"),
}

# Names in the script a document or a person wrote them in, for a few banks.
NATIVE_SCRIPT: dict[str, tuple[str, str]] = {
    # latin -> (native, script)
    "Desislava": ("Десислава", "Cyrl"),
    "Petya": ("Петя", "Cyrl"),
    "Gergana": ("Гергана", "Cyrl"),
    "Ivanka": ("Иванка", "Cyrl"),
    "Radka": ("Радка", "Cyrl"),
    "Mariya": ("Мария", "Cyrl"),
    "Tsvetelina": ("Цветелина", "Cyrl"),
    "Georgi": ("Георги", "Cyrl"),
    "Ivan": ("Иван", "Cyrl"),
    "Dimitar": ("Димитър", "Cyrl"),
    "Nikolay": ("Николай", "Cyrl"),
    "Hristo": ("Христо", "Cyrl"),
    "Stoyan": ("Стоян", "Cyrl"),
    "Georgiev": ("Георгиев", "Cyrl"),
    "Georgieva": ("Георгиева", "Cyrl"),
    "Ivanov": ("Иванов", "Cyrl"),
    "Ivanova": ("Иванова", "Cyrl"),
    "Petrov": ("Петров", "Cyrl"),
    "Petrova": ("Петрова", "Cyrl"),
    "Dimitrov": ("Димитров", "Cyrl"),
    "Dimitrova": ("Димитрова", "Cyrl"),
    "Angelov": ("Ангелов", "Cyrl"),
    "Angelova": ("Ангелова", "Cyrl"),
    "Kirilov": ("Кирилов", "Cyrl"),
    "Kirilova": ("Кирилова", "Cyrl"),
    "Stoyanov": ("Стоянов", "Cyrl"),
    "Stoyanova": ("Стоянова", "Cyrl"),
    "Wang": ("王", "Hani"),
    "Li": ("李", "Hani"),
    "Zhang": ("张", "Hani"),
    "Liu": ("刘", "Hani"),
    "Chen": ("陈", "Hani"),
    "Lin": ("林", "Hani"),
    "Mei": ("梅", "Hani"),
    "Xiaoling": ("晓玲", "Hani"),
    "Jing": ("静", "Hani"),
    "Hui": ("慧", "Hani"),
    "Yan": ("燕", "Hani"),
    "Wei": ("伟", "Hani"),
    "Jun": ("军", "Hani"),
    "Hao": ("浩", "Hani"),
    "Lei": ("磊", "Hani"),
    "Qiang": ("强", "Hani"),
    "Mohamed": ("محمد", "Arab"),
    "Youssef": ("يوسف", "Arab"),
    "Amine": ("أمين", "Arab"),
    "Bilal": ("بلال", "Arab"),
    "Hamza": ("حمزة", "Arab"),
    "Karim": ("كريم", "Arab"),
}

ALIASES_F = ("Princess", "Queen", "Baby", "Sweet", "Mama", "Angel", "Lucky", "Nok", "Lek", "Ploy")
ALIASES_M = ("Junior", "Papi", "Small", "Boss", "Kid", "Bro")

MUNICIPALITIES = {  # kommunenummer -> weight; the police district that covers it
    OSLO: 60,
    BERGEN: 18,
    "1103": 7,
    "5001": 6,
    "4204": 4,
    "3301": 5,
}
BERGEN_AREA = {BERGEN}

# Years of first referral, shaped like the peak around 2012-2016 and the dip of 2020. The demo's own
# persons begin in 2010: 2009 belongs to the 2009 set (varde.demo.demo2009), whose figures must
# come out exactly as KOM counted them.
YEAR_WEIGHTS = {
    2010: 7,
    2011: 8,
    2012: 9,
    2013: 9,
    2014: 8,
    2015: 7,
    2016: 7,
    2017: 6,
    2018: 5,
    2019: 5,
    2020: 3,
    2021: 4,
    2022: 4,
    2023: 5,
    2024: 5,
    2025: 5,
    2026: 4,
}

DESCRIPTIONS = {
    "sexual": (
        "Møtt under oppsøkende arbeid. Opplyser om gjeld til den som organiserte reisen til Norge.",
        "Påtruffet ved kontroll av leilighet brukt til prostitusjon. Virket redd og kontrollert.",
        "Tok selv kontakt. Forteller om trusler mot familien i hjemlandet og om en «madam».",
        "Henvist fra helsetjenesten. Fortalte om reise via Italia og krav om å betale tilbake.",
    ),
    "forced_labour": (
        "Avdekket ved tilsyn. Lange arbeidsdager, lønn langt under tariff, pass holdt av arbeidsgiver.",
        "Tok kontakt gjennom tolk. Bor på arbeidsplassen og skylder arbeidsgiver for reise og bolig.",
        "Henvist fra fagforening. Får ikke lønn utbetalt og blir truet med oppsigelse og anmeldelse.",
    ),
    "begging": (
        "Observert tigging over tid, hentes og bringes av voksne. Leverer pengene fra seg.",
        "Møtt ved kjøpesenter. Opplyser at en slektning bestemmer hvor og når det skal tigges.",
    ),
    "forced_criminality": (
        "Påtruffet i rusmiljøet i sentrum. Selger på vegne av eldre personer som holder på pengene.",
        "Pågrepet for butikktyveri flere ganger. Indikasjoner på at noen styrer tyveriene.",
        "Enslig mindreårig uten fast bosted. Oppgir å skylde penger til dem som beskytter ham.",
    ),
    "domestic_servitude": (
        "Arbeider i privat husholdning uten fritid. Pass er tatt fra henne. Tok kontakt via en venninne.",
    ),
    "forced_marriage": (
        "Forteller om et ekteskap hun ble presset inn i, og om trusler dersom hun forlater mannen.",
    ),
}

NOTES = (
    "Samarbeidsmøte holdt. Politi, barnevern og NGO avklarte hvem som gjør hva den neste uken.",
    "Tolk bestilt til samtale neste uke.",
    "Personen har fått informasjon om refleksjonsperioden og retten til advokat.",
    "Bosted avklart; flyttet til trygt botilbud.",
    "Kontakt med fastlege opprettet; time hos psykolog avtalt.",
    "Personen ønsker ikke å anmelde nå. Vi holder kontakten.",
    "Søknad om refleksjonsperiode sendt UDI.",
    "Personen uteble fra avtalt møte. Forsøker å oppnå kontakt.",
)

STATUS_REASONS = {
    "under_assessment": (
        "Samtale gjennomført, indikatorer vurderes.",
        "Kartlegging startet sammen med tolk.",
    ),
    "identified": (
        "Flere indikatorer på menneskehandel; vurdert som mulig offer.",
        "Vurdert som mulig offer etter samtale og opplysninger fra politiet.",
    ),
    "not_victim": ("Indikatorene ble ikke bekreftet i samtalene.",),
    "assistance": (
        "Bistand og beskyttelse startet: bolig, helse og juridisk bistand.",
        "Takket ja til tilbud om bistand; plan utarbeidet.",
    ),
    "closed": ("Saken avsluttes.", "Oppfølgingen er avsluttet."),
}

# Voluntary returns (closure "returned home"): who assists when IOM does not, and who meets the person.
RETURN_ORGANISATIONS = ("Caritas", "Frelsesarmeen", "La Strada", "Kirkens Bymisjon")
RETURN_RECEPTIONS = (
    "IOM møter på flyplassen; midlertidig bolig hos partnerorganisasjon.",
    "Familien møter; oppfølging fra lokal NGO.",
    "Mottak ved krisesenter i hjemlandet de første ukene.",
    "Reintegreringsstøtte til utdanning; bor hos søster.",
)

CLOSURE_WEIGHTS = {
    "returned_home": 20,
    "settled": 25,
    "lost_contact": 25,
    "moved_abroad": 10,
    "no_longer_in_need": 18,
    "deceased": 1,
}

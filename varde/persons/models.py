"""A person as reported: names in several forms, age facts, documents and phones.

A Person row belongs to one case's episode as the reporting agency knew it; the linkage
module later clusters rows that are the same human being. Counting rows is not counting people.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from varde.core import clock
from varde.core.models import BaseModel


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other")
    UNKNOWN = "", _("Unknown")


class AgeCertainty(models.TextChoices):
    LOW = "low", _("Low (a guess)")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Person(BaseModel):
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    estimated_age_certainty = models.CharField(
        _("certainty of the estimate"), max_length=10, choices=AgeCertainty.choices, blank=True
    )
    age_estimated_on = models.DateField(_("age estimated on"), null=True, blank=True)
    nationalities = models.JSONField(
        _("nationalities"), default=list, blank=True, help_text=_("ISO 3166 alpha-2")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("ISO 639"))
    national_id = models.CharField(
        _("Norwegian national identity number or D-number"), max_length=11, blank=True
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:  # never a name: str() can reach logs
        return f"Person {self.pk}"

    @property
    def primary_name(self) -> PersonName | None:
        names = list(self.names.all())
        primary = [n for n in names if n.kind == NameKind.PRIMARY]
        candidates = primary or names
        return candidates[0] if candidates else None

    @property
    def display_name(self) -> str:
        name = self.primary_name
        return name.full if name else ""

    def age_on(self, on: object = None) -> int | None:
        """Age in whole years on a date: exact from the birth date, else grown from the estimate."""
        day = on or clock.today()
        if self.date_of_birth:
            dob = self.date_of_birth
            return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))  # type: ignore[attr-defined]
        if self.estimated_age is not None:
            since = self.age_estimated_on or day
            return self.estimated_age + max(0, (day - since).days // 365)  # type: ignore[operator]
        return None

    @property
    def age_is_uncertain(self) -> bool:
        return self.date_of_birth is None

    def is_presumed_child(self, on: object = None) -> bool:
        """Child if under 18, or if age is unknown/uncertain and the estimate says under 18.

        Council of Europe Convention Art. 10(3): when the age is uncertain and there are reasons to
        believe the person is a child, they are presumed a child until the age is verified.
        """
        age = self.age_on(on)
        return age is not None and age < 18


class NameKind(models.TextChoices):
    PRIMARY = "primary", _("Name as reported")
    ALIAS = "alias", _("Alias")
    DOCUMENT = "document", _("Name in a document")
    BIRTH = "birth", _("Birth name")


class Script(models.TextChoices):
    LATIN = "Latn", _("Latin")
    CYRILLIC = "Cyrl", _("Cyrillic")
    ARABIC = "Arab", _("Arabic")
    ETHIOPIC = "Ethi", _("Ethiopic")
    HAN = "Hani", _("Chinese")
    THAI = "Thai", _("Thai")
    OTHER = "Zyyy", _("Other")


class PersonName(BaseModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(_("kind"), max_length=10, choices=NameKind.choices, default=NameKind.PRIMARY)
    given = models.CharField(_("given name"), max_length=200, blank=True)
    family = models.CharField(_("family name"), max_length=200, blank=True)
    script = models.CharField(_("script"), max_length=4, choices=Script.choices, default=Script.LATIN)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("name")
        verbose_name_plural = _("names")

    def __str__(self) -> str:
        return f"PersonName {self.pk}"

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.given, self.family) if p)


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    RESIDENCE_CARD = "residence_card", _("Residence card")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    OTHER = "other", _("Other")


class IdentityDocument(BaseModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=60)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    suspected_false = models.BooleanField(_("suspected false"), default=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"IdentityDocument {self.pk}"


class PhoneNumber(BaseModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone number"), max_length=30)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")

    def __str__(self) -> str:
        return f"PhoneNumber {self.pk}"

from django.apps import AppConfig


class ProsecutionConfig(AppConfig):
    name = "varde.prosecution"
    label = "prosecution"
    verbose_name = "Criminal cases"

    def ready(self) -> None:
        # The criminal-case section of the annual report: statistics asks its registry, never this package.
        from varde.statistics.report import report_section_register

        from .report import SLUG, annual_report_section

        report_section_register(SLUG, annual_report_section)

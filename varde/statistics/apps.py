from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "varde.statistics"
    label = "statistics"
    verbose_name = "Statistics"

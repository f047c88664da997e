"""briefbot: news briefs and situation status from indexed articles, over Telegram or a console."""

__version__ = "0.1.0"

"""Web analytics presets: Yandex.Metrica report exports and Google Analytics 4 report downloads."""

from __future__ import annotations

from .base import register

__all__: list[str] = []

#: Metrica's "Traffic source" (ym:s:trafficSource) values, Russian and English interface.
METRICA_SOURCES = {
    "Переходы из поисковых систем": "organic_search",
    "Search engine traffic": "organic_search",
    "Переходы по рекламе": "paid_search",
    "Ad traffic": "paid_search",
    "Прямые заходы": "direct",
    "Direct traffic": "direct",
    "Переходы по ссылкам на сайтах": "referral",
    "Link traffic": "referral",
    "Переходы из социальных сетей": "social_organic",
    "Social network traffic": "social_organic",
    "Переходы из мессенджеров": "social_organic",
    "Messenger traffic": "social_organic",
    "Переходы из почтовых рассылок": "email",
    "Mailing traffic": "email",
    "Переходы из рекомендательных систем": "referral",
    "Recommendation system traffic": "referral",
    "Внутренние переходы": "other",
    "Internal traffic": "other",
    "Переходы с сохранённых страниц": "other",
    "Переходы с сохраненных страниц": "other",
    "Cached page traffic": "other",
    "Не определено": "other",
    "Undefined": "other",
}

register(
    "yandex_metrica",
    "activity",
    "Yandex.Metrica report export (CSV or XLSX, Russian or English interface)",
    "https://yandex.com/dev/metrika/ru/stat/metrics/visits/basic.md, "
    "https://yandex.com/dev/metrika/ru/stat/metrics/visits/behaviour.md (metric names as the "
    "export's headers), "
    "https://yandex.ru/support/metrica/reports/sources.html (traffic source values)",
    {
        "period": (
            "Дата визита",
            "Дата",
            "Месяц",
            "Date of visit",
            "Date",
            "Month",
            "Period",
            "Период",
        ),
        "channel": (
            "Источник трафика",
            "Последний источник трафика",
            "Последний значимый источник трафика",
            "Первый источник трафика",
            "Traffic source",
            "Last traffic source",
            "Last significant traffic source",
            "First traffic source",
        ),
        "campaign": ("UTM Campaign", "Метка utm_campaign", "utm_campaign"),
        "device": ("Тип устройства", "Устройство", "Device category", "Device type"),
        "visits": ("Визиты", "Visits", "Sessions"),
        "visitors": ("Посетители", "Users", "Visitors"),
        "new_visitors": ("Новые посетители", "New users", "New visitors"),
        "pageviews": ("Просмотры", "Pageviews"),
        "bounce_rate": ("Отказы", "Bounce rate"),
        "page_depth": ("Глубина просмотра", "Page depth"),
        "avg_duration": ("Время на сайте", "Time on site", "Visit duration", "Avg visit duration"),
        "conversions": (
            "Достижения целей",
            "Достижения любой цели",
            "Достижения цели",
            "Целевые визиты",
            "Goal completions",
            "Goal reaches",
            "Target visits",
            "re:^достижения цели",
        ),
    },
    channel_map=METRICA_SOURCES,
    tactic_from=("channel",),
)

#: GA4's default channel groups (https://support.google.com/analytics/answer/9756891).
GA4_CHANNELS = {
    "Organic Search": "organic_search",
    "Paid Search": "paid_search",
    "Organic Social": "social_organic",
    "Paid Social": "social_paid",
    "Email": "email",
    "Referral": "referral",
    "Direct": "direct",
    "Display": "display",
    "Affiliates": "affiliate",
    "Organic Video": "content",
    "Paid Video": "display",
    "Organic Shopping": "organic_search",
    "Paid Shopping": "paid_search",
    "Cross-network": "paid_search",
    "Audio": "display",
    "SMS": "other",
    "Mobile Push Notifications": "other",
    "Paid Other": "other",
    "Unassigned": "other",
    "(other)": "other",
    "AI Assistants": "referral",
}

register(
    "ga4",
    "activity",
    "Google Analytics 4 report download (CSV with '#' comment lines above the header)",
    "https://support.google.com/analytics/answer/9143382 (dimensions and metrics), "
    "https://support.google.com/analytics/answer/9756891 (default channel groups); "
    "Reports > Share this report > Download file > CSV",
    {
        "channel": ("re:channel group", "Session source / medium", "Default channel group"),
        "period": ("Date", "Year month", "Month of year", "re:^(date|year month)$"),
        "campaign": ("Session campaign", "Session campaign name", "Campaign"),
        "device": ("Device category",),
        "visits": ("Sessions",),
        "engaged_visits": ("Engaged sessions",),
        "visitors": ("Total users", "Active users", "Users"),
        "new_visitors": ("New users",),
        "pageviews": ("Views", "Screen page views"),
        "avg_duration": ("Average session duration",),
        "conversions": ("Key events", "Conversions"),
    },
    channel_map=GA4_CHANNELS,
    tactic_from=("channel",),
    bounces_from_engaged=True,
)

"""Ad platform presets: Yandex.Direct, Google Ads, Meta Ads Manager and VK Ads spend reports."""

from __future__ import annotations

from .base import register

__all__: list[str] = []

register(
    "yandex_direct",
    "activity",
    "Yandex.Direct statistics report (Reports API TSV or the report wizard's export)",
    "https://yandex.com/dev/direct/doc/en/report-format.md (first row the report name and dates, "
    "second the "
    "field names, last 'Total rows: N'); fields "
    "https://yandex.com/dev/direct/doc/reports/fields-list.html. "
    "Cost includes VAT when the report was made with IncludeVAT=YES: say which with vat_included",
    {
        "period": ("Date", "Month", "Дата", "Месяц"),
        "campaign": ("CampaignName", "Campaign", "Кампания", "Название кампании"),
        "channel": ("AdNetworkType", "Тип площадки"),
        "impressions": ("Impressions", "Показы"),
        "clicks": ("Clicks", "Клики"),
        "spend": ("Cost", "Расход", "Стоимость", "Рекламный бюджет", "Расход всего"),
        "conversions": ("Conversions", "Конверсии"),
        "visits": ("Sessions", "Визиты"),
        "bounces": ("Bounces", "Отказы (визиты)"),
        "device": ("Device", "Тип устройства"),
    },
    constants={"channel": "paid_search"},
    channel_map={
        "SEARCH": "paid_search",
        "AD_NETWORK": "display",
        "Поиск": "paid_search",
        "Сети": "display",
    },
    tactic_from=("campaign",),
    needs_vat=True,
)

register(
    "google_ads",
    "activity",
    "Google Ads report download (CSV or XLSX from Reports or a campaigns table)",
    "https://support.google.com/google-ads/answer/2404179 (download a report: two title rows, the "
    "header, "
    "'Total: ...' rows at the end); columns https://support.google.com/google-ads/answer/2375435. "
    "Cost excludes taxes",
    {
        "period": ("Day", "Date", "Month", "Week"),
        "campaign": ("Campaign",),
        "channel": ("Campaign type", "Advertising channel type"),
        "currency": ("Currency code", "Currency"),
        "impressions": ("Impr.", "Impressions"),
        "clicks": ("Clicks", "Interactions"),
        "spend": ("Cost",),
        "conversions": ("Conversions", "Conv."),
        "device": ("Device",),
    },
    constants={"channel": "paid_search"},
    channel_map={
        "Search": "paid_search",
        "Shopping": "paid_search",
        "Performance Max": "paid_search",
        "Display": "display",
        "Video": "display",
        "Demand Gen": "display",
        "Discovery": "display",
        "App": "other",
        "Smart": "paid_search",
        "Local": "paid_search",
        "Hotel": "paid_search",
    },
    tactic_from=("campaign",),
    vat_default=False,
)

register(
    "meta_ads",
    "activity",
    "Meta Ads Manager export (CSV or XLSX; optional summary row)",
    "https://www.facebook.com/business/help/1695754927158071 (export Ads Manager data), column "
    "definitions "
    "https://www.facebook.com/business/help/447834205249495; 'Amount spent (<currency code>)', "
    "e.g. 'Amount spent (USD)', names the account currency. "
    "Amount spent excludes taxes. Older and API-built exports name spend 'Spent' and conversions "
    "'Total_Conversion' (e.g. the Kaggle 'Sales Conversion Optimization' file)",
    {
        "period": ("Day", "Reporting starts", "Month"),
        "campaign": ("Campaign name", "Campaign"),
        "impressions": ("Impressions",),
        "reach": ("Reach",),
        "clicks": ("Link clicks", "Clicks (all)"),
        "spend": ("Amount spent", "Spent", "Spend"),
        "conversions": (
            "Results",
            "Leads",
            "Purchases",
            "Conversions",
            "Total conversions",
            "Total conversion",
        ),
        "device": ("Impression device", "Device platform"),
    },
    constants={"channel": "social_paid"},
    tactic_from=("campaign",),
    vat_default=False,
)

register(
    "vk_ads",
    "activity",
    "VK Ads (ads.vk.com) statistics export",
    "https://ads.vk.com/help/articles/statistics (statistics columns: показы, клики, списания, "
    "охват, "
    "результаты); API fields shows, clicks, amount: https://ads.vk.com/en/help/partner/partner_api/"
    "partner_statistics_api. Whether spend includes VAT depends on the account: say so with "
    "vat_included",
    {
        "period": ("Дата", "Date", "День", "Месяц"),
        "campaign": ("Кампания", "Название кампании", "Campaign", "Campaign name"),
        "impressions": ("Показы", "Impressions", "Shows"),
        "clicks": ("Клики", "Clicks"),
        "spend": ("Списания", "Списано", "Потрачено", "Расход", "Spent", "Amount"),
        "reach": ("Охват", "Reach"),
        "conversions": ("Результаты", "Результат", "Конверсии", "Results", "Goals"),
    },
    constants={"channel": "social_paid"},
    tactic_from=("campaign",),
    needs_vat=True,
)

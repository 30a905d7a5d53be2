"""Social network analytics and e-mail platform presets (both feed ``activity``)."""

from __future__ import annotations

from .base import register

__all__: list[str] = []

register(
    "social",
    "activity",
    "Social network statistics, one row per network and day or month (VK, Telegram, "
    "Facebook/Instagram insights exports, or a sheet combining them)",
    "VK community statistics https://dev.vk.com/ru/method/stats.get (reach, likes, comments, "
    "copies = shares, "
    "subscribed); Meta page insights "
    "https://developers.facebook.com/docs/graph-api/reference/insights "
    "(page_impressions_unique = reach, page_fans = followers)",
    {
        "period": ("Date", "Дата", "Period", "Период", "Month", "Месяц", "День"),
        "tactic": ("Network", "Соцсеть", "Социальная сеть", "Platform", "Площадка", "Сеть"),
        "reach": ("Reach", "Охват", "Охват публикаций", "Page reach", "Post reach"),
        "impressions": ("Impressions", "Показы", "Views", "Просмотры"),
        "likes": ("Likes", "Лайки", "Нравится", "Мне нравится", "Reactions", "Реакции"),
        "comments": ("Comments", "Комментарии"),
        "shares": ("Shares", "Репосты", "Поделились", "Reposts", "Copies"),
        "followers": (
            "Followers",
            "Подписчики",
            "Subscribers",
            "Участники",
            "Page followers",
            "Fans",
        ),
        "mentions": ("Mentions", "Упоминания"),
        "clicks": ("Link clicks", "Переходы по ссылке", "Клики"),
    },
    constants={"channel": "social_organic"},
)

register(
    "email",
    "activity",
    "E-mail platform campaign report (Mailchimp, Unisender, Sendsay or similar)",
    "Mailchimp campaign report export https://mailchimp.com/help/about-email-campaign-reports/ "
    "(Emails sent, "
    "Unique opens, Unique clicks, Unsubscribes); Unisender "
    "https://www.unisender.com/ru/support/api/statistics/"
    "getcampaigncommonstats/ (sent, opened, clicked, unsubscribed)",
    {
        "period": ("Send Date", "Send Time", "Date", "Дата отправки", "Дата", "Month", "Месяц"),
        "tactic": (
            "Title",
            "Campaign",
            "Campaign title",
            "Название рассылки",
            "Рассылка",
            "Кампания",
        ),
        "sends": (
            "Emails sent",
            "Total Recipients",
            "Recipients",
            "Sent",
            "Отправлено",
            "Отправлено писем",
        ),
        "opens": ("Unique Opens", "Opens", "Открытия", "Уникальные открытия", "Открыли", "Открыто"),
        "clicks": ("Unique Clicks", "Clicks", "Клики", "Уникальные клики", "Переходы", "Кликнули"),
        "unsubscribes": ("Unsubscribes", "Unsubscribed", "Отписки", "Отписались"),
        "subscriptions": (
            "Subscriptions",
            "New subscribers",
            "Subscribes",
            "Подписки",
            "Новые подписчики",
        ),
    },
    constants={"channel": "email"},
)

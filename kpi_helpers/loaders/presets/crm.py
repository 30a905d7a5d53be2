"""CRM deal presets: Bitrix24, amoCRM, HubSpot and Salesforce exports -> the ``deals`` table.

Each CRM's stages map onto the furthest stage reached (lead, mql, sql, opportunity, won) and the
status (open, won, lost) through a stage map: the defaults below cover each CRM's default pipeline
(by label and by internal id); ``stage_map`` in ``client.yaml`` adds or overrides stages (e.g.
``"Closed Lost": sql/lost`` when lost deals had reached SQL). Contact names, e-mails and phones in
these exports match no target column, so they are dropped as the file is read.
"""

from __future__ import annotations

from .base import register

__all__: list[str] = []

register(
    "bitrix24",
    "deals",
    "Bitrix24 CRM deals export (CSV or Excel from the deal list)",
    "https://helpdesk.bitrix24.ru/open/16398726 (crm_deal fields: ID, DATE_CREATE, STAGE_NAME, "
    "OPPORTUNITY, "
    "CURRENCY_ID, SOURCE_NAME, CLOSEDATE, UTM_CAMPAIGN), "
    "https://helpdesk.bitrix24.ru/open/18478840/ (system "
    "fields as the list shows them in Russian)",
    {
        "deal_id": ("ID",),
        "created": ("Дата создания", "DATE_CREATE", "Created", "Date created"),
        "stage": ("Стадия сделки", "Стадия", "STAGE_NAME", "STAGE_ID", "Stage", "Deal stage"),
        "amount": ("Сумма", "OPPORTUNITY", "Amount", "Opportunity", "Income"),
        "currency": ("Валюта", "CURRENCY_ID", "Currency"),
        "channel": ("Источник", "SOURCE_NAME", "SOURCE_ID", "Source"),
        "closed": ("Дата завершения", "Дата закрытия", "CLOSEDATE", "End date", "Closing date"),
        "tactic": ("UTM Campaign", "UTM_CAMPAIGN", "utm_campaign"),
        "customer_id": ("Компания: ID", "COMPANY_ID", "Контакт: ID", "CONTACT_ID"),
    },
    stage_map={
        "Новая": "lead",
        "NEW": "lead",
        "Подготовка документов": "sql",
        "PREPARATION": "sql",
        "Счёт на предоплату": "opportunity",
        "Счет на предоплату": "opportunity",
        "PREPAYMENT_INVOICE": "opportunity",
        "В работе": "opportunity",
        "EXECUTING": "opportunity",
        "Финальный счёт": "opportunity",
        "Финальный счет": "opportunity",
        "FINAL_INVOICE": "opportunity",
        "Сделка успешна": "won",
        "WON": "won",
        "Сделка провалена": "lost",
        "LOSE": "lost",
        "Анализ причины провала": "lost",
        "APOLOGY": "lost",
    },
    channel_map={
        "Электронная почта": "email",
        "EMAIL": "email",
        "Рекомендация": "referral",
        "RECOMMENDATION": "referral",
        "Партнёр": "affiliate",
        "Партнер": "affiliate",
        "PARTNER": "affiliate",
        "Выставка": "events",
        "TRADE_SHOW": "events",
    },
    tactic_from=("channel",),
)

register(
    "amocrm",
    "deals",
    "amoCRM (Kommo) leads export (CSV or XLSX from the leads list)",
    "https://www.amocrm.ru/developers/content/crm_platform/leads-api (price, status_id, "
    "pipeline_id, created_at, "
    "closed_at) with the list's column labels (Бюджет, Этап сделки, Дата создания, Дата закрытия); "
    "default pipeline stages 142 'Успешно реализовано' and 143 'Закрыто и не реализовано'",
    {
        "deal_id": ("ID", "Id сделки"),
        "created": ("Дата создания", "Дата создания сделки", "Created at", "Created"),
        "closed": ("Дата закрытия", "Closed at", "Closed"),
        "stage": ("Этап сделки", "Этап", "Статус", "Status", "Stage"),
        "amount": ("Бюджет", "Price", "Sale", "Budget"),
        "channel": ("Источник", "Источник сделки", "utm_source", "Source"),
        "tactic": ("utm_campaign", "UTM Campaign"),
        "customer_id": ("Компания ID", "ID компании", "Company ID"),
    },
    stage_map={
        "Неразобранное": "lead",
        "Incoming leads": "lead",
        "Первичный контакт": "lead",
        "Initial contact": "lead",
        "Переговоры": "sql",
        "Negotiation": "sql",
        "Принимают решение": "opportunity",
        "Decision making": "opportunity",
        "Согласование договора": "opportunity",
        "Contract discussion": "opportunity",
        "Успешно реализовано": "won",
        "Closed - won": "won",
        "142": "won",
        "Закрыто и не реализовано": "lost",
        "Closed - lost": "lost",
        "143": "lost",
    },
    tactic_from=("channel",),
)

HUBSPOT_SOURCES = {
    "Organic Search": "organic_search",
    "ORGANIC_SEARCH": "organic_search",
    "Paid Search": "paid_search",
    "PAID_SEARCH": "paid_search",
    "Email Marketing": "email",
    "EMAIL_MARKETING": "email",
    "Organic Social": "social_organic",
    "Social Media": "social_organic",
    "SOCIAL_MEDIA": "social_organic",
    "Paid Social": "social_paid",
    "PAID_SOCIAL": "social_paid",
    "Referrals": "referral",
    "REFERRALS": "referral",
    "AI Referrals": "referral",
    "Direct Traffic": "direct",
    "DIRECT_TRAFFIC": "direct",
    "Other Campaigns": "other",
    "OTHER_CAMPAIGNS": "other",
    "Offline Sources": "other",
    "OFFLINE": "other",
}

register(
    "hubspot",
    "deals",
    "HubSpot deals export (CSV or XLSX, Export view)",
    "https://knowledge.hubspot.com/properties/hubspots-default-deal-properties (Record ID, Deal "
    "Stage, Amount, "
    "Create Date, Close Date, Original Traffic Source), "
    "https://knowledge.hubspot.com/import-and-export/"
    "export-records; default pipeline stages "
    "https://knowledge.hubspot.com/object-settings/set-up-and-customize-"
    "pipelines",
    {
        "deal_id": ("Record ID", "Deal ID", "hs_object_id"),
        "stage": ("Deal Stage", "dealstage"),
        "amount": ("Amount", "Amount in company currency"),
        "currency": ("Currency", "Deal currency code"),
        "created": ("Create Date", "createdate"),
        "closed": ("Close Date", "closedate"),
        "channel": (
            "Original Traffic Source",
            "Original Source Type",
            "Original Source",
            "hs_analytics_source",
        ),
        "tactic": ("Original Traffic Source Drill-Down 1", "Original Source Data 1", "Campaign"),
        "customer_id": (
            "Associated Company IDs (Primary)",
            "Associated Company ID",
            "Associated Company IDs",
        ),
    },
    stage_map={
        "Appointment Scheduled": "sql",
        "appointmentscheduled": "sql",
        "Qualified To Buy": "mql",
        "qualifiedtobuy": "mql",
        "Presentation Scheduled": "sql",
        "presentationscheduled": "sql",
        "Decision Maker Bought-In": "opportunity",
        "decisionmakerboughtin": "opportunity",
        "Contract Sent": "opportunity",
        "contractsent": "opportunity",
        "Closed Won": "won",
        "closedwon": "won",
        "Closed Lost": "lost",
        "closedlost": "lost",
    },
    channel_map=HUBSPOT_SOURCES,
    tactic_from=("channel",),
)

register(
    "salesforce",
    "deals",
    "Salesforce opportunities report export (Details Only, CSV or XLSX)",
    "https://help.salesforce.com/s/articleView?id=sf.reports_export.htm (export a report: "
    "formatted or details "
    "only; CSV ends with a confidentiality and copyright footer); standard Opportunity fields "
    "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/"
    "sforce_api_objects_opportunity.htm (StageName, Amount, LeadSource, CreatedDate, CloseDate)",
    {
        "deal_id": ("Opportunity ID", "Opportunity ID (18)", "Id"),
        "stage": ("Stage", "StageName", "Opportunity Stage"),
        "amount": ("Amount", "Opportunity Amount"),
        "currency": ("Opportunity Currency", "Amount Currency", "CurrencyIsoCode"),
        "created": ("Created Date", "CreatedDate"),
        "closed": ("Close Date", "CloseDate"),
        "channel": ("Lead Source", "LeadSource"),
        "tactic": ("Primary Campaign Source", "Campaign Name"),
        "customer_id": ("Account ID", "AccountId"),
    },
    stage_map={
        "Prospecting": "lead",
        "Qualification": "mql",
        "Needs Analysis": "sql",
        "Value Proposition": "sql",
        "Id. Decision Makers": "opportunity",
        "Perception Analysis": "opportunity",
        "Proposal/Price Quote": "opportunity",
        "Negotiation/Review": "opportunity",
        "Closed Won": "won",
        "Closed Lost": "lost",
    },
    channel_map={
        "Employee Referral": "referral",
        "External Referral": "referral",
        "Word of mouth": "referral",
        "Partner": "affiliate",
        "Partner Referral": "affiliate",
        "Trade Show": "events",
        "Seminar - Internal": "events",
        "Seminar - Partner": "events",
        "Email": "email",
        "Phone Inquiry": "other",
        "Purchased List": "other",
        "Other": "other",
    },
    tactic_from=("channel",),
)

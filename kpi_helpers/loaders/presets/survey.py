"""NPS / CSAT survey files (Google Forms, Typeform, SurveyMonkey and CSVs like them) ->
``survey``."""

from __future__ import annotations

from .base import register

__all__: list[str] = []

register(
    "survey",
    "survey",
    "Survey responses: one row per respondent, the NPS question as a column",
    "Google Forms response sheet https://support.google.com/docs/answer/2917686 (first column "
    "Timestamp, one "
    "column per question), Typeform CSV "
    "https://www.typeform.com/help/a/download-your-results-360029262812/ "
    "('#', one column per question, 'Submitted At'); NPS is the 0-10 'how likely are you to "
    "recommend' question",
    {
        "respondent_id": (
            "Respondent ID",
            "Response ID",
            "CustomerID",
            "Customer ID",
            "#",
            "ID",
            "Token",
            "ID ответа",
            "Респондент",
        ),
        "date": (
            "Timestamp",
            "Submitted At",
            "Submit Date",
            "Date",
            "Отметка времени",
            "Дата",
            "Date submitted",
            "End Date",
        ),
        "nps": ("NPS", "re:recommend", "re:рекоменд", "re:0\\s*(-|to|–|до)\\s*10"),
        "csat": ("CSAT", "re:satisf", "re:удовлетвор"),
        "channel": ("Channel", "Канал"),
    },
)

"""The review's vocabulary, defined once: funnel stages, decisions, levels of the scorecard, the
portfolio's names.

These ids are data (CSV values, client.yaml keys, summary.json keys), never shown as they are:
labels and
translations live beside the reports (:mod:`kpi_helpers.analysis.narrative`). Each group is a
namespace of
plain ``str`` constants with a tuple of them in order, rather than an ``enum.Enum``: the values go
into
DataFrames, CSV, JSON and YAML (``yaml.safe_dump`` refuses ``str`` subclasses), which must stay
exactly the
strings they are.

>>> Decision.KEEP, DECISIONS[-1], STAGE_COLUMNS[Stage.LEAD_TO_CUSTOMER]
('keep', 'insufficient_data', ('customers', 'leads'))
"""

from __future__ import annotations

__all__ = [
    "Stage",
    "STAGES",
    "STAGE_IDS",
    "STAGE_COLUMNS",
    "FUNNEL_COLUMNS",
    "VALUE_STAGE",
    "Decision",
    "DECISIONS",
    "JUDGED",
    "Level",
    "LEVELS",
    "ALL_CHANNELS",
    "PORTFOLIO_SCOPE",
]


class Stage:
    """Funnel stage ids: the conversion from one funnel column to the next (also KPI ids of the
    registry)."""

    TRAFFIC_TO_LEAD = "traffic_to_lead"
    LEAD_TO_MQL = "lead_to_mql"
    MQL_TO_SQL = "mql_to_sql"
    SQL_TO_CUSTOMER = "sql_to_customer"
    LEAD_TO_CUSTOMER = (
        "lead_to_customer"  # across MQL and SQL: the one stage a CRM export of MQLs only can test
    )


#: Funnel stages as (id, successes column, trials column), in funnel order.
STAGES = (
    (Stage.TRAFFIC_TO_LEAD, "leads", "visits"),
    (Stage.LEAD_TO_MQL, "mql", "leads"),
    (Stage.MQL_TO_SQL, "sql", "mql"),
    (Stage.SQL_TO_CUSTOMER, "customers", "sql"),
    (Stage.LEAD_TO_CUSTOMER, "customers", "leads"),
)
STAGE_IDS = tuple(s for s, _succ, _trials in STAGES)
#: Stage id -> (successes column, trials column).
STAGE_COLUMNS = {s: (succ, trials) for s, succ, trials in STAGES}
#: The funnel's count columns in order; a client's funnel uses those its data have.
FUNNEL_COLUMNS = ("visits", "leads", "mql", "sql", "customers")
#: Not a funnel stage: what an "optimise" call on a tactic whose customers are worth less than they
#: cost improves.
VALUE_STAGE = "value"


class Decision:
    """Decision ids, one per tactic (``decisions.csv``)."""

    KEEP = "keep"
    OPTIMISE = "optimise"
    DROP = "drop"
    INSUFFICIENT_DATA = "insufficient_data"


DECISIONS = (Decision.KEEP, Decision.OPTIMISE, Decision.DROP, Decision.INSUFFICIENT_DATA)
#: The decisions that judge a tactic (a call checked next year); too little data judges nothing.
JUDGED = (Decision.KEEP, Decision.OPTIMISE, Decision.DROP)


class Level:
    """The scorecard's ``level`` of a row: the whole portfolio, a channel, or one tactic of a
    channel."""

    PORTFOLIO = "portfolio"
    CHANNEL = "channel"
    TACTIC = "tactic"


LEVELS = (Level.PORTFOLIO, Level.CHANNEL, Level.TACTIC)
#: The ``channel`` value of the portfolio's row in per-channel tables (funnel, rates, NPS).
ALL_CHANNELS = "all channels"
#: The ``scope`` (targets) or ``channel`` (forecast) value that means the whole portfolio.
PORTFOLIO_SCOPE = "all"

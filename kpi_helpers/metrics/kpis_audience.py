"""KPI formulas, traffic, engagement and customer families (see :mod:`kpi_helpers.metrics.kpis` for
the rules).

Scalars or Series alike; zero or missing denominators give NaN; one keyword,
``variant=``, picks a catalogue variant.
"""

from __future__ import annotations

import pandas as pd

from .kpis import _check_variant, ratio

__all__ = [
    "bounce_rate",
    "pages_per_visit",
    "average_session_duration",
    "repeat_visitor_rate",
    "traffic_share",
    "growth",
    "engagement_rate",
    "follower_growth",
    "average_interaction_time",
    "attendance_rate",
    "churn_rate",
    "retention_rate",
    "repeat_purchase_rate",
    "purchase_frequency",
    "nps",
    "net_promoter_score",
    "is_promoter",
    "is_detractor",
    "csat",
    "csat_rate",
    "is_satisfied",
]


def bounce_rate(bounces=None, visits=None, *, engaged=None, variant: str = "single_page"):
    """Bounce rate (S4). Never compare across variants.

    - ``single_page`` (default): single-page visits / visits; pass them as ``bounces``.
    - ``yandex``: visits with one pageview lasting under 15 s / visits; pass those as ``bounces``.
    - ``ga4``: 1 − engaged sessions / sessions; pass ``engaged`` (sessions over
      10 s, or with a key event, or ≥ 2 pageviews) and ``visits``.

    >>> bounce_rate(450, 1_000)
    0.45
    >>> bounce_rate(visits=1_000, engaged=620, variant="ga4")
    0.38
    """
    _check_variant("bounce_rate", variant)
    if variant == "ga4":
        return 1 - ratio(engaged, visits)
    return ratio(bounces, visits)


def pages_per_visit(pageviews, visits):
    """Pageviews per visit (S2, S4).

    >>> pages_per_visit(2_600, 1_000)
    2.6
    """
    return ratio(pageviews, visits)


def average_session_duration(total_duration_s, visits):
    """Average session duration in seconds: total duration / visits (S1, S4).

    >>> average_session_duration(95_000, 1_000)
    95.0
    """
    return ratio(total_duration_s, visits)


def repeat_visitor_rate(returning_visitors, visitors):
    """Repeat visits: returning visitors / visitors (S4).

    >>> repeat_visitor_rate(300, 1_200)
    0.25
    """
    return ratio(returning_visitors, visitors)


def traffic_share(source_visits, all_visits):
    """Share of traffic from a source: source visits / all visits (S0, S3, S4).

    >>> traffic_share(250, 1_000)
    0.25
    """
    return ratio(source_visits, all_visits)


def growth(current, previous):
    """Growth against the prior period: (current − previous) / previous (S0, S1: organic traffic
    growth).

    >>> growth(1_200, 1_000)
    0.2
    """
    return ratio(current - previous, previous)


def engagement_rate(likes, comments, shares, base, variant: str = "reach"):
    """Engagement rate: (likes + comments + shares) / base (S1, S4).

    ``base`` is the reach (default), the followers or the impressions, as the
    variant says.

    >>> engagement_rate(80, 15, 5, 2_000)
    0.05
    """
    _check_variant("engagement_rate", variant)
    return ratio(likes + comments + shares, base)


def follower_growth(followers_end, followers_start):
    """Follower growth rate: (end − start) / start (S4).

    >>> follower_growth(1_150, 1_000)
    0.15
    """
    return ratio(followers_end - followers_start, followers_start)


def average_interaction_time(total_interaction_s, interactions):
    """Average interaction time: total interaction time / interactions (S4).

    >>> average_interaction_time(3_000, 120)
    25.0
    """
    return ratio(total_interaction_s, interactions)


def attendance_rate(target_attendees, registrations):
    """Event attendance by target visitors: target attendees / registrations (S2).

    >>> attendance_rate(45, 60)
    0.75
    """
    return ratio(target_attendees, registrations)


def churn_rate(lost, start):
    """Churn: customers lost in the period / customers at its start (S2).

    Not (start − end) / start, which nets out new customers.

    >>> churn_rate(12, 400)
    0.03
    """
    return ratio(lost, start)


def retention_rate(end, new, start):
    """Retention: (customers at end − new customers) / customers at start (S2, S4).

    >>> retention_rate(420, 50, 400)
    0.925
    """
    return ratio(end - new, start)


def repeat_purchase_rate(repeat_customers, customers):
    """Repeat purchase rate: customers with ≥ 2 orders / customers (S1).

    >>> repeat_purchase_rate(30, 120)
    0.25
    """
    return ratio(repeat_customers, customers)


def purchase_frequency(orders, customers):
    """Orders per customer: orders / the customers who placed them (S0).

    >>> purchase_frequency(360, 120)
    3.0
    """
    return ratio(orders, customers)


def _scores(scores, low: float, high: float, name: str) -> pd.Series:
    s = pd.Series(scores, dtype="float64").dropna()
    bad = s[(s < low) | (s > high)]
    if len(bad):
        raise ValueError(f"{name}: score {bad.iloc[0]:g} is outside the {low:g}-{high:g} scale")
    return s


def is_promoter(scores):
    """Promoters: 9 or 10 on the 0–10 scale (elementwise; NaN is neither).

    >>> is_promoter(pd.Series([10, 9, 8, 6])).tolist()
    [True, True, False, False]
    """
    return scores >= 9


def is_detractor(scores):
    """Detractors: 0 to 6 on the 0–10 scale (elementwise; NaN is neither).

    >>> is_detractor(pd.Series([10, 7, 6, 0])).tolist()
    [False, False, True, True]
    """
    return scores <= 6


def net_promoter_score(promoters, detractors, responses):
    """Net Promoter Score in points (−100 to +100) from counts: 100 × (promoters − detractors) /
    responses
    (S1, S2). Passives count in ``responses``; no responses gives NaN. The one NPS formula:
    :func:`nps`, the
    scorecard and :func:`kpi_helpers.metrics.stats.nps_ci` all call it.

    >>> net_promoter_score(45, 20, 100)
    25.0
    """
    return 100 * ratio(promoters - detractors, responses)


def nps(scores) -> float:
    """Net Promoter Score in points (−100 to +100) from 0–10 scores (S1, S2).

    % promoters (9–10) minus % detractors (0–6); passives (7–8) count in the
    denominator. Missing scores are ignored; no scores gives NaN.

    >>> nps([10, 9, 8, 7, 6, 0])
    0.0
    >>> nps([10, 10, 9, 3])
    50.0
    """
    s = _scores(scores, 0, 10, "nps")
    return net_promoter_score(int(is_promoter(s).sum()), int(is_detractor(s).sum()), len(s))


def is_satisfied(scores, scale: int = 5, top_boxes: int = 2):
    """Satisfied CSAT answers: the top ``top_boxes`` of a 1–``scale`` scale (4 and 5 on 1–5;
    elementwise).

    >>> is_satisfied(pd.Series([5, 4, 3])).tolist()
    [True, True, False]
    """
    return scores > scale - top_boxes


def csat_rate(satisfied, responses):
    """Customer satisfaction from counts: satisfied responses / responses (S0).

    >>> csat_rate(3, 5)
    0.6
    """
    return ratio(satisfied, responses)


def csat(scores, scale: int = 5, top_boxes: int = 2) -> float:
    """Customer satisfaction: satisfied responses (the top two boxes) / responses (S0).

    On the 1–5 scale, 4 and 5 are satisfied.

    >>> csat([5, 4, 3, 2, 5])
    0.6
    """
    s = _scores(scores, 1, scale, "csat")
    return csat_rate(int(is_satisfied(s, scale, top_boxes).sum()), len(s))

"""The review: what the notebook computes from a loaded client, from KPI tables to verdicts and
budget.

:mod:`.annual` builds the :class:`~.annual.AnnualReview` the notebook shows; the other modules are
its
parts (cost allocation, comparisons, decisions, customers, budget, plan, forecast, targets, the
yearly
loop). Imports :mod:`kpi_helpers.core`, :mod:`kpi_helpers.metrics` and :mod:`kpi_helpers.loaders`,
never
the report or the runner.
"""

"""KPI formulas and the statistics on them: pure functions of numbers and tables.

:mod:`.kpis` and :mod:`.kpis_audience` compute one KPI each from totals, :mod:`.catalog` is the
registry
(label, unit, formula, direction and the function that computes each KPI) behind every printed
number,
:mod:`.stats` and :mod:`.stats_money` hold the tests and intervals. Imports only
:mod:`kpi_helpers.core`.
"""

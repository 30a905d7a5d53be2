"""What people see: the notebook's display calls (:mod:`.show`), charts (:mod:`.plots`), the
report's
files (:mod:`.export`: sidecars, code-free HTML, batch index), PDF and the portfolio page.

Reads a finished review; never computes one and never changes it.
"""

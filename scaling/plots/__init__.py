"""Altair charts. Each function takes a finished table (a DataFrame from the library) and
returns an ``alt.Chart``; nothing here computes science. Altair is imported only when a
chart is built, so ``import scaling`` stays fast.

Charts by topic: :mod:`scaling.plots.laws`, :mod:`scaling.plots.hardware`,
:mod:`scaling.plots.forecast`, :mod:`scaling.plots.reliability`, and
:mod:`scaling.plots.explore` (the what-if charts, two with sliders bound to HTML inputs that
work in a static page).
"""

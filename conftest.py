"""Root pytest configuration: loads ``tests/nbval_executed.py``, with which nbval checks the
notebooks ``make report`` already executed instead of running them a second time::

    pytest --nbval-lax --nbval-executed reports/executed notebooks/

The shared test configuration of the unit tests is ``tests/conftest.py``.
"""

pytest_plugins = ["tests.nbval_executed"]

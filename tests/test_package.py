"""Package-level contracts: a fast import that does not pull in heavy dependencies."""

import subprocess
import sys


def test_import_is_lazy():
    code = (
        "import sys, scaling\n"
        "heavy = [m for m in ('altair', 'statsmodels', 'scipy', 'pandas') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_attribute_is_an_attribute_error():
    import scaling

    try:
        scaling.no_such_name
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")

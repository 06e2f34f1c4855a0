"""``python -m scaling``: the command line (see :mod:`scaling.cli`)."""

from scaling.cli import main

raise SystemExit(main())

"""``python -m scaling``: the command line (see :mod:`scaling.apps.cli`)."""

from scaling.apps.cli import main

raise SystemExit(main())

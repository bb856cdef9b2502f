"""Allow ``python -m mock_efidem``."""

from mock_efidem.cli import main

raise SystemExit(main())

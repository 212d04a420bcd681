"""``python -m bot`` is the ``factdesk`` command."""

import sys

from bot.cli import main

sys.exit(main())

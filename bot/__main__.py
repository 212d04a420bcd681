"""``python -m bot`` is the ``factdesk`` command."""

import sys

from bot.runtime.cli import main

sys.exit(main())

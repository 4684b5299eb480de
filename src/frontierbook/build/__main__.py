"""``python -m frontierbook.build``: what ``make book`` runs (see :mod:`.driver`)."""

import sys

from frontierbook.build.driver import main

sys.exit(main())

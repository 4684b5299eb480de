"""``python -m frontierbook.build``: what ``make book`` runs (see :mod:`.driver`)."""

import gc
import sys

from frontierbook.build.driver import main

status = main()
# Everything is written and closed by now. Freezing the heap spares the interpreter's last
# collection of everything Sphinx built (half a second at every build).
gc.freeze()
sys.exit(status)

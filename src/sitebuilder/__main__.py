"""``python -m sitebuilder``: what ``make book`` runs (see :mod:`.driver`)."""

import sys

from sitebuilder import speedups
from sitebuilder.driver import main

status = main()
speedups.skip_final_collection()
sys.exit(status)

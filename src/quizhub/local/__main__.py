"""``python -m quizhub.local serve|migrate|seed`` (see ``quizhub.local.host``)."""

import sys

from quizhub.local.host._cli import main

if __name__ == "__main__":
    sys.exit(main())

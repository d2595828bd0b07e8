"""`python -m hwaccept` runs the command line."""

import sys

from hwaccept.cli.main import main

sys.exit(main())

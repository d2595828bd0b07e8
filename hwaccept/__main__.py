"""`python -m hwaccept` runs the command line."""

from hwaccept.cli.main import console

console()

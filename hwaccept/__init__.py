"""hwaccept: acceptance and burn-in checks for data-center GPU servers."""

__version__ = "0.1.0"

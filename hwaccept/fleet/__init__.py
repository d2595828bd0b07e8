"""The fleet's view of the history database: where failures cluster, what awaits action."""

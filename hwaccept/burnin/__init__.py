"""Burn-in: stress engines, their measurements against the profile, and their guards."""

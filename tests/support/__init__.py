"""Shared test infrastructure: real local servers (servers.py) and builders of test data."""

"""Helpers the tests import: files, databases and checks they build (`from tests.support.<module> import ...`)."""

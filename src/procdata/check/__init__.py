"""Checking: the Frictionless Table Schema and the rules of Thai procurement."""

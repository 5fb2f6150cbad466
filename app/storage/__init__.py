"""Daishou."""

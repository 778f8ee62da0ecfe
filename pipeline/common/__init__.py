"""Errors, limits, Vietnamese formatting and text checks: the bottom layer."""

"""Issued versions: the archive, the register, diffs and tracked-changes copies."""

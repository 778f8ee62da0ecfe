"""The Decree 30 checker for any Word file."""

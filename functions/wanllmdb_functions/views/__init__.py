"""Saved workspace views: named, per project, shared with everyone who can read the project."""

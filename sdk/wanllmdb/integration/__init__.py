"""Integrations with training frameworks; each subpackage imports its framework, so import it only
when the framework is in use (``import wanllmdb`` loads none of them)."""

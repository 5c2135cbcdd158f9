"""Notifications: in-app lists, per-user subscriptions, webhooks (signed, retried, logged), an email
outbox, and run alerts (`wanllmdb.alert`)."""

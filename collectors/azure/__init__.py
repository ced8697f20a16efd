"""The Azure collector: subscriptions and their policy, access and budget evidence, read-only."""

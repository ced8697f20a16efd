"""Renderers: each turns one Assessment into one format."""

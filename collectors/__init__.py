"""Collectors: one package per evidence source, plus shared file-signal detection (detect/)."""

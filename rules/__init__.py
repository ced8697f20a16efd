"""The rules engine: rule packs as YAML data, evaluated into an Assessment."""

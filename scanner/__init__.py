"""pecm core: the domain model, configuration, plugin discovery, pipeline and CLI."""

__version__ = "0.1.0"

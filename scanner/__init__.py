"""pecm core: the domain model, configuration, plugin discovery, pipeline and CLI."""

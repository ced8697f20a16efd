"""The Kubernetes collector: what clusters enforce, read through the API with a read-only role."""

"""A fake Kubernetes API server (HTTPS on 127.0.0.1) for the Kubernetes collector's tests."""

"""A fake Azure (Resource Manager and Entra ID) on 127.0.0.1 over HTTPS, for the azure collector's tests."""

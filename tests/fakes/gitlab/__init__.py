"""A fake GitLab REST API (v4) on 127.0.0.1, driven by the real python-gitlab in tests."""

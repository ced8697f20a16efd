"""The GitLab collector: top-level groups, their subgroups' projects, files and settings (GitLab.com or self-managed)."""

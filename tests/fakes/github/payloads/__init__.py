"""REST payload builders: model objects -> dicts in GitHub's documented shapes, URLs on the fake."""

"""The commands of `pecm`: the only modules that import the rules engine and the renderers.

The core (the rest of `scanner/`) collects evidence and knows nothing of either; each command
loads the rule set it evaluates with (`support.load_ruleset`) and picks the renderer it writes
with, so a command pays only for what it runs. `scanner/cli.py` names them.
"""

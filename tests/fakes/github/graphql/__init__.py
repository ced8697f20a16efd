"""`POST /graphql`: GitHub's GraphQL API subset (schema.graphql) executed with graphql-core.

One class per schema type (accounts, repositories, git, deployments; `root.QueryRoot` for
Query). The field resolver in endpoint.py maps a field `nameWithOwner(argX:)` to the
attribute `name_with_owner(arg_x=)` (with a trailing "_" where the name would shadow a
builtin: `object_`, `type_`); dict values are read by their GraphQL names; a class's
`typename` answers interface and union types.
"""

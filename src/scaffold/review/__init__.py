"""`scaffold review`: score a machine-learning portfolio repository against what its reviewers
look for, on repo-review's plugin framework.

`checks` is a repo-review plugin (checks, families and the `portfolio` fixture, registered as
entry points in ml-scaffold's pyproject.toml, so plain `repo-review` runs them too), built on
`repository` (the files and documents of the repository under review), `markdown` (reading
READMEs and cards) and `scans` (secrets, large files, notebooks, placeholder tests).
`reviewing` runs repo-review's processor with every installed plugin (sp-repo-review's
checks included), scores the result, gives each miss a fix line and formats the review.
"""

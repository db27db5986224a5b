"""What mirloop offers plugin authors beyond the hooks: :mod:`~mirloop.plugins_support.isolated_env`,
a plugin's own virtualenv for dependencies that cannot share mirloop's environment."""

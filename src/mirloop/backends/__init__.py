"""Built-in backends. Each ``*_plugin`` module is a plugin named by an entry point of ``mirloop``."""

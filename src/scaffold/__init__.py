"""ml-scaffold: start, hand out and keep up to date machine-learning portfolio projects."""

__version__ = "0.2.0"

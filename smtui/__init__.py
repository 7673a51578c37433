"""smtui: a terminal UI that follows Amazon SageMaker training jobs live."""

__version__ = "0.1.0"

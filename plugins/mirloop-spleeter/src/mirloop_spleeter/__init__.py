"""mirloop separator backend ``spleeter`` (MIT): spleeter in an isolated worker environment."""

from mirloop_spleeter.checkpoint import check_model_dir
from mirloop_spleeter.separator import SpleeterSeparator

__all__ = ["SpleeterSeparator", "check_model_dir"]

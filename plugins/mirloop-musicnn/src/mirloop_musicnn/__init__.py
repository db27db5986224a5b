"""mirloop backends on musicnn (ISC-licensed models): real-music tags, embeddings and a genre tagger.

The models run in NumPy on weights exported once by ``mirloop-musicnn setup``; TensorFlow is
used only by that export, in its own environment.
"""

from mirloop_musicnn.classifier import MusicnnTagger
from mirloop_musicnn.features import MusicnnFeatures
from mirloop_musicnn.weights import MODELS, load_model

__all__ = ["MODELS", "MusicnnFeatures", "MusicnnTagger", "load_model"]

"""Builder of the labelled real-music development set (see README.md)."""

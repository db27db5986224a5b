"""Code that runs inside the export environment (TensorFlow and musicnn), never in mirloop's."""

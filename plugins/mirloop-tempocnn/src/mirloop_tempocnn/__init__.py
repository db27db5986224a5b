"""mirloop tempo backend on tempo-cnn (Schreiber & Müller): its trained Keras models run in NumPy."""

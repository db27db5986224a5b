"""librosa-based features, tempo, key and Laplacian segmentation."""

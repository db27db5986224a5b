"""Code that runs inside the isolated spleeter environment (TensorFlow, NumPy < 2).

Nothing here imports mirloop: the worker environment has spleeter and its pinned
dependencies only. :mod:`wire` is the message framing shared with the client.
"""

"""The effects of the domain-randomisation chain (:mod:`mirloop.renderer.randomize`), in NumPy/SciPy.

Each stateful effect is a class whose ``process`` takes consecutive ``(2, n)`` blocks and keeps its
state between them, so a signal processed block by block equals the signal processed whole.
"""

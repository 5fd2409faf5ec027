"""Fidelity corpus: honest variants of benchmark solutions, judged by the original harnesses and by codegym."""

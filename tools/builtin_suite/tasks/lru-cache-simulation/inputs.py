"""Test inputs of builtin/lru-cache-simulation; expected values come from reference.py."""

from tools.builtin_suite.cases import calls, shared_rng

r = shared_rng(202)  # the medium assert tasks' stream: see shared_rng

EXAMPLE = (2, [["put", 1, 1], ["put", 2, 2], ["get", 1], ["put", 3, 3], ["get", 2], ["get", 3]])

VISIBLE = [calls((2, [["put", 1, 10], ["get", 1], ["get", 2]]), name="hit and miss"),
           calls((1, [["put", 1, 1], ["put", 2, 2], ["get", 1], ["get", 2]]), name="eviction at capacity"),
           calls((2, [["put", 1, 1], ["put", 1, 5], ["get", 1]]), name="overwrite")]

HIDDEN = [calls((2, [["put", 1, 1], ["put", 2, 2], ["get", 1], ["put", 3, 3], ["get", 2], ["get", 1], ["get", 3]])),
          calls((2, [["get", 7]])), calls((3, [["put", k, k * k] for k in range(6)] + [["get", k] for k in range(6)])),
          calls((2, [["put", 1, 1], ["put", 2, 2], ["put", 1, 9], ["put", 3, 3], ["get", 1], ["get", 2]])),
          calls((2, [["put", "a", 1], ["put", "b", 2], ["get", "a"], ["put", "c", 3], ["get", "a"], ["get", "b"]])),
          calls((50, [["put", r.randint(0, 80), i] if r.random() < 0.5 else ["get", r.randint(0, 80)]
                      for i in range(1500)])),
          calls((1, [["get", 1], ["put", 1, 1], ["get", 1], ["put", 2, 2], ["get", 1]])),
          calls((3, [["put", 1, 1], ["put", 2, 2], ["put", 3, 3], ["get", 1], ["get", 2], ["put", 4, 4], ["get", 3], ["get", 1]])),
          calls((2, [["put", 0, -1], ["get", 0]]))]

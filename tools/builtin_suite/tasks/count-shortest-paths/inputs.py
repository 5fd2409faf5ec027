"""Test inputs of builtin/count-shortest-paths; expected values come from reference.py."""

from tools.builtin_suite.cases import io


def _layered_graph(layers: int, width: int) -> str:
    edges = []
    node = lambda layer, k: 2 + layer * width + k  # noqa: E731 -- node ids after the source (1)
    for k in range(width):
        edges.append((1, node(0, k)))
    for layer in range(layers - 1):
        for a in range(width):
            for b in range(width):
                edges.append((node(layer, a), node(layer + 1, b)))
    target = 2 + layers * width
    for k in range(width):
        edges.append((node(layers - 1, k), target))
    return f"{target} {len(edges)}\n" + "".join(f"{u} {v}\n" for u, v in edges)


EXAMPLE = "4 4\n1 2\n1 3\n2 4\n3 4\n"

VISIBLE = [io("4 4\n1 2\n1 3\n2 4\n3 4\n", name="two paths"), io("3 1\n1 2\n", name="unreachable"),
           io("2 1\n1 2\n", name="direct edge")]

HIDDEN = [io(_layered_graph(10, 10)), io(_layered_graph(3, 4)), io("5 6\n1 2\n2 5\n1 3\n3 4\n4 5\n1 5\n"),
          io(_layered_graph(30, 3)), io("6 7\n1 2\n1 3\n2 4\n3 4\n4 5\n4 6\n5 6\n"), io(_layered_graph(12, 7)),
          io("2 0\n"), io(_layered_graph(1, 50)), io(_layered_graph(40, 2))]

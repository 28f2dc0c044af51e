"""Build a deterministic random transit network and route over it."""

import random

from ex_routes import build_graph, connected_components, describe, hop_distances, shortest_route


def make_edges(rng: random.Random, n_stops: int, n_links: int) -> list[tuple[int, int]]:
    edges = []
    # a long chain of lines plus random cross links
    for stop in range(1, n_stops):
        if rng.random() < 0.97:
            edges.append((stop - 1, stop))
    for _ in range(n_links):
        a = rng.randrange(n_stops)
        b = rng.randrange(n_stops)
        if a != b:
            edges.append((a, b))
    return edges


def main() -> None:
    rng = random.Random(7)
    graph = build_graph(make_edges(rng, 3000, 900))
    print(describe(graph))
    for start in (0, 1500):
        distances = hop_distances(graph, start)
        print(f"reachable from {start}:", len(distances), "max hops:", max(distances.values()))
    for goal in (2998, 1234, 42):
        route = shortest_route(graph, 0, goal)
        print("route 0 ->", goal, "hops", len(route) - 1)
    components = connected_components(graph)
    print("components:", len(components), "largest:", len(components[0]))


if __name__ == "__main__":
    main()

"""Hop-count routing over a small transit network (stops connected by direct links)."""


def build_graph(edges: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Undirected adjacency lists; neighbours are kept in insertion order."""
    graph: dict[int, list[int]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, []).append(a)
    return graph


def hop_distances(graph: dict[int, list[int]], start: int) -> dict[int, int]:
    """Breadth-first search: the fewest hops from ``start`` to every reachable stop."""
    distances = {start: 0}
    visited = [start]
    queue = [start]
    while queue:
        stop = queue.pop(0)
        for neighbour in graph.get(stop, []):
            if neighbour not in visited:
                visited.append(neighbour)
                distances[neighbour] = distances[stop] + 1
                queue.append(neighbour)
    return distances


def shortest_route(graph: dict[int, list[int]], start: int, goal: int) -> list[int]:
    """One shortest route from ``start`` to ``goal`` as a list of stops ([] if unreachable)."""
    parents = {start: start}
    queue = [start]
    while queue:
        stop = queue.pop(0)
        if stop == goal:
            break
        for neighbour in graph.get(stop, []):
            if neighbour not in parents.keys():
                parents[neighbour] = stop
                queue.append(neighbour)
    if goal not in parents:
        return []
    route = [goal]
    while route[-1] != start:
        route.append(parents[route[-1]])
    route.reverse()
    return route


def connected_components(graph: dict[int, list[int]]) -> list[list[int]]:
    """Groups of mutually reachable stops, each sorted, largest group first."""
    seen = []
    components = []
    for node in sorted(graph):
        if node in seen:
            continue
        component = []
        queue = [node]
        seen.append(node)
        while queue:
            current = queue.pop(0)
            component.append(current)
            for neighbour in graph[current]:
                if neighbour not in seen:
                    seen.append(neighbour)
                    queue.append(neighbour)
        components.append(sorted(component))
    components.sort(key=lambda group: (-len(group), group[0]))
    return components


def describe(graph: dict[int, list[int]]) -> str:
    """One-line summary of the network size."""
    links = sum(len(neighbours) for neighbours in graph.values()) // 2
    return f"{len(graph)} stops, {links} links"

# Directed graph reachability from node 1.
# Input: "n m", then m lines "u v" (edge u -> v), then q, then q lines with a node each.
# Output: for each query, its hop distance from node 1, or -1 if unreachable.
n, m = map(int, input().split())
adj = [[] for _ in range(n + 1)]
for _ in range(m):
    u, v = map(int, input().split())
    adj[u].append(v)

dist = [-1] * (n + 1)
dist[1] = 0
visited = [1]
queue = [1]
while queue:
    u = queue.pop(0)
    for v in adj[u]:
        if v not in visited:
            visited.append(v)
            dist[v] = dist[u] + 1
            queue.append(v)

q = int(input())
out = ""
for _ in range(q):
    x = int(input())
    out += str(dist[x]) + "\n"
print(out, end="")

# Count pairs i < j with a[i] + a[j] == target.
# Input: "n target" on the first line, then n integers on the second line.
n, target = map(int, input().split())
a = list(map(int, input().split()))

count = 0
for i in range(n):
    for j in range(i + 1, n):
        if a[i] + a[j] == target:
            count += 1
print(count)

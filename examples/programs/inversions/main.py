# Count inversions: pairs i < j with a[i] > a[j].
# Input: n, then n lines with one integer each.
n = int(input())
a = []
for _ in range(n):
    a.append(int(input()))

inversions = 0
for i in range(len(a)):
    for j in range(i + 1, len(a)):
        if a[i] > a[j]:
            inversions += 1
print(inversions)

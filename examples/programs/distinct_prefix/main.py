# For each prefix of the sequence, print how many distinct values it contains.
# Input: n, then n integers separated by spaces.
n = int(input())
values = input().split()

seen = []
answer = ""
for v in values:
    x = int(v)
    if x not in seen:
        seen.append(x)
    answer = answer + str(len(seen)) + " "
print(answer.strip())

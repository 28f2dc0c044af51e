# Word statistics of a text read until end of input.
# Output: total words, distinct words, then the 10 most frequent words with counts
# (ties broken alphabetically), one per line.
words = []
while True:
    try:
        line = input()
    except EOFError:
        break
    for w in line.split():
        w = w.strip(".,;:!?\"'()").lower()
        if w:
            words.append(w)

distinct = []
for w in words:
    if w not in distinct:
        distinct.append(w)

counts = []
for w in distinct:
    counts.append((-words.count(w), w))
counts.sort()

out = str(len(words)) + "\n" + str(len(distinct)) + "\n"
for c, w in counts[:10]:
    out += w + " " + str(-c) + "\n"
print(out, end="")

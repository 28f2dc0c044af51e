"""Word statistics for plain-text documents."""

STOPWORDS = ["a", "an", "and", "the", "of", "to", "in", "is", "it", "that", "for", "on", "with", "as", "was"]


def tokenize(text: str) -> list[str]:
    """Lower-case words with surrounding punctuation stripped."""
    words = []
    for raw in text.split():
        word = raw.strip(".,;:!?\"'()").lower()
        if word:
            words.append(word)
    return words


def word_frequencies(words: list[str]) -> dict[str, int]:
    """How many times each word occurs, in first-seen order."""
    frequencies = {}
    for word in words:
        if word not in frequencies:
            frequencies[word] = words.count(word)
    return frequencies


def top_words(frequencies: dict[str, int], n: int, skip_stopwords: bool = True) -> list[tuple[str, int]]:
    """The ``n`` most frequent words (ties broken alphabetically)."""
    candidates = []
    for word, count in frequencies.items():
        if skip_stopwords and word in STOPWORDS:
            continue
        candidates.append((word, count))
    candidates.sort(key=lambda item: (-item[1], item[0]))
    return candidates[:n]


def longest_word(words: list[str]) -> str:
    """The longest word (the alphabetically last one among equals)."""
    return sorted(words, key=lambda w: (len(w), w))[-1]


def sentences_mentioning(sentences: list[str], keywords: list[str]) -> list[int]:
    """Indexes of the sentences that contain at least one of ``keywords``."""
    hits = []
    for i in range(len(sentences)):
        words = tokenize(sentences[i])
        if any([keyword in words for keyword in keywords]):
            hits.append(i)
    return hits

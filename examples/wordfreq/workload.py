"""Generate a deterministic pseudo-English corpus and compute word statistics."""

import random

from ex_wordfreq import longest_word, sentences_mentioning, tokenize, top_words, word_frequencies

SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "el", "an", "dri", "po", "que", "ist", "ba"]
COMMON = ["the", "of", "and", "a", "to", "in", "is", "it", "that", "for", "on", "with", "as", "was"]


def make_sentences(rng: random.Random, n_sentences: int, vocabulary: int) -> list[str]:
    spellings = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(vocabulary)}
    vocab = sorted(spellings)
    sentences = []
    for _ in range(n_sentences):
        words = []
        for _ in range(rng.randint(5, 18)):
            if rng.random() < 0.35:
                words.append(rng.choice(COMMON))
            else:
                # Zipf-like: low indexes are much more common
                words.append(vocab[int(len(vocab) * rng.random() ** 3)])
        words[0] = words[0].capitalize()
        sentences.append(" ".join(words) + rng.choice([".", ".", "!", "?"]))
    return sentences


def main() -> None:
    rng = random.Random(31337)
    sentences = make_sentences(rng, 1800, 3000)
    words = tokenize(" ".join(sentences))
    frequencies = word_frequencies(words)
    print("words:", len(words), "distinct:", len(frequencies))
    print("top:", top_words(frequencies, 8))
    print("longest:", longest_word(words))
    keywords = [w for w, _ in top_words(frequencies, 200)][150:]
    print("sentences with rare keywords:", len(sentences_mentioning(sentences, keywords)))


if __name__ == "__main__":
    main()

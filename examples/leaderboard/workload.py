"""Simulate a deterministic round-robin season and query the table."""

import random

from ex_leaderboard import Leaderboard, Match, head_to_head


def make_season(rng: random.Random, players: list[str], rounds: int) -> list[Match]:
    strength = {p: rng.random() for p in players}
    matches = []
    for rnd in range(rounds):
        order = players[:]
        rng.shuffle(order)
        for home, away in zip(order[::2], order[1::2]):
            bias = strength[home] - strength[away]
            matches.append(Match(rnd, home, away, max(0, round(rng.gauss(1.5 + bias, 1))),
                                 max(0, round(rng.gauss(1.5 - bias, 1)))))
    return matches


def main() -> None:
    rng = random.Random(2026)
    players = [f"player{k:03d}" for k in range(800)]
    matches = make_season(rng, players, 30)
    board = Leaderboard()
    board.record(matches)
    print("matches:", len(matches))
    print("leader:", board.leader(), "top 5:", board.standings()[:5])
    print("ranks of 400 players, sum:", sum(board.ranks(players[::2])))
    print("longest streak:", board.longest_win_streak())
    print("h2h:", head_to_head(matches, matches[0].home, matches[0].away))


if __name__ == "__main__":
    main()

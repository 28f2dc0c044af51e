"""Tournament leaderboard: rankings, streaks and head-to-head records."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    """One finished game between two players."""

    round: int
    home: str
    away: str
    home_score: int
    away_score: int


class Leaderboard:
    """Accumulates match results and answers ranking questions."""

    def __init__(self) -> None:
        self.points: dict[str, int] = {}
        self.history: dict[str, list[str]] = {}

    def record(self, matches: list[Match]) -> None:
        """Add results: 3 points for a win, 1 for a draw."""
        for match in matches:
            for player in (match.home, match.away):
                if player not in self.points.keys():
                    self.points[player] = 0
                    self.history[player] = []
            if match.home_score > match.away_score:
                outcome = {match.home: "W", match.away: "L"}
            elif match.home_score < match.away_score:
                outcome = {match.home: "L", match.away: "W"}
            else:
                outcome = {match.home: "D", match.away: "D"}
            for player, result in outcome.items():
                self.points[player] += {"W": 3, "D": 1, "L": 0}[result]
                self.history[player].append(result)

    def standings(self) -> list[str]:
        """Players ordered by points, then name."""
        return sorted(self.points, key=lambda p: (-self.points[p], p))

    def ranks(self, players: list[str]) -> list[int]:
        """1-based rank of each requested player."""
        ranks = []
        for player in players:
            ranks.append(self.standings().index(player) + 1)
        return ranks

    def leader(self) -> str:
        """The player at the top of the table."""
        return sorted(self.points.items(), key=lambda item: (-item[1], item[0]))[0][0]

    def longest_win_streak(self) -> tuple[str, int]:
        """The player with the longest run of consecutive wins, and its length."""
        best_player, best_streak = "", 0
        for player, results in sorted(self.history.items()):
            streak = 0
            for result in results:
                streak = streak + 1 if result == "W" else 0
                if streak > best_streak:
                    best_player, best_streak = player, streak
        return best_player, best_streak


def head_to_head(matches: list[Match], a: str, b: str) -> tuple[int, int, int]:
    """Wins of a, draws, wins of b in the games between a and b."""
    wins_a = draws = wins_b = 0
    for match in matches:
        if {match.home, match.away} != {a, b}:
            continue
        score_a = match.home_score if match.home == a else match.away_score
        score_b = match.away_score if match.home == a else match.home_score
        if score_a > score_b:
            wins_a += 1
        elif score_a < score_b:
            wins_b += 1
        else:
            draws += 1
    return wins_a, draws, wins_b

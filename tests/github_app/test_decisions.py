"""The pure parts of the App: configuration, gates, diff lines and functions, patching, placement."""

from __future__ import annotations

from typing import Any

import pytest

from optiagent.github_app.config import RepoConfig, parse_config
from optiagent.github_app.findings import Place, decide, demote, publishable, suggestion_for
from optiagent.github_app.gates import InstallationState, Trigger, gate
from optiagent.github_app.hunks import changed_functions, diff_lines
from optiagent.github_app.patching import PatchMismatch, apply_diff, apply_diffs
from tests.github_app.scenario import (
    BASE_FILE,
    FAST_LINE,
    HEAD_FILE,
    REPO,
    SLOW_LINE,
    changed_files,
    edit_diff,
    improved,
    is_prime_edit,
    patch,
    primes_below_edit,
    pull_request,
    report,
)

NO_EXPLANATION = lambda rule: ""  # noqa: E731


def test_config_reads_the_table_and_keeps_defaults_for_bad_values() -> None:
    """Known keys are read; a value of the wrong type or outside its range keeps the default, with a note."""
    config = parse_config(
        "[tool.optiagent.github]\nmode = 'command'\nmin_speedup = 1.5\nmax_suggestions = 'many'\n"
        "followup = 'sometimes'\nskip_labels = 'wip'\nunknown = 1\n"
    )
    assert config.mode == "command" and config.min_speedup == 1.5 and config.skip_labels == ("wip",)
    assert config.max_suggestions == RepoConfig().max_suggestions and config.followup == "on_request"
    assert len(config.notes) == 2
    assert parse_config("not toml [").notes and parse_config(None) == RepoConfig()


@pytest.mark.parametrize(
    ("changes", "trigger", "config", "state", "reason"),
    [
        ({}, Trigger.PUSH, RepoConfig(), InstallationState(), None),
        ({"draft": True}, Trigger.PUSH, RepoConfig(), InstallationState(), "draft"),
        ({"draft": True}, Trigger.COMMAND, RepoConfig(), InstallationState(), None),
        (
            {"author": "dependabot[bot]", "author_is_bot": True},
            Trigger.COMMAND,
            RepoConfig(),
            InstallationState(),
            "dependabot",
        ),
        ({"head_ref": "optiagent/pr-3"}, Trigger.COMMAND, RepoConfig(), InstallationState(), "own"),
        ({"labels": ("optiagent:skip",)}, Trigger.PUSH, RepoConfig(), InstallationState(), "labelled"),
        (
            {"base_ref": "release"},
            Trigger.PUSH,
            RepoConfig(base_branches=("main", "dev/*")),
            InstallationState(),
            "base branch",
        ),
        ({}, Trigger.PUSH, RepoConfig(), InstallationState(paused=True), "paused"),
        ({}, Trigger.COMMAND, RepoConfig(), InstallationState(runs_today=3, runs_per_day=3), "runs"),
        ({}, Trigger.PUSH, RepoConfig(mode="command"), InstallationState(), "mode = command"),
        ({}, Trigger.LABEL, RepoConfig(mode="command"), InstallationState(), None),
        ({"head_repo": "stranger/speed"}, Trigger.PUSH, RepoConfig(), InstallationState(), "fork"),
        ({"head_repo": "stranger/speed"}, Trigger.LABEL, RepoConfig(), InstallationState(), "fork"),
        ({"head_repo": "stranger/speed"}, Trigger.COMMAND, RepoConfig(), InstallationState(), None),
        ({}, Trigger.COMMAND, RepoConfig(enabled=False), InstallationState(), "disabled"),
        ({"state": "closed"}, Trigger.COMMAND, RepoConfig(), InstallationState(), "closed"),
    ],
)
def test_gates(
    changes: dict[str, Any],
    trigger: Trigger,
    config: RepoConfig,
    state: InstallationState,
    reason: str | None,
) -> None:
    """Each gate stops what it should; a maintainer's command overrides only the gates of taste."""
    stopped = gate(REPO, pull_request(**changes), config, trigger, state)
    if reason is None:
        assert stopped is None
    else:
        assert stopped is not None and reason in stopped.reason


def test_a_disabled_app_or_our_own_branch_gets_no_check_run() -> None:
    """Gates that are not the pull request's business leave no skipped check behind."""
    own = gate(REPO, pull_request(head_ref="optiagent/pr-1"), RepoConfig(), Trigger.PUSH, InstallationState())
    off = gate(REPO, pull_request(), RepoConfig(enabled=False), Trigger.PUSH, InstallationState())
    draft = gate(REPO, pull_request(draft=True), RepoConfig(), Trigger.PUSH, InstallationState())
    assert own is not None and not own.check and off is not None and not off.check
    assert draft is not None and draft.check


def test_diff_lines_are_the_right_side_of_the_hunks() -> None:
    """Added and context lines of the head are commentable; additions and deletion points are changed."""
    text = "@@ -1,4 +1,5 @@\n a\n-b\n+B\n+C\n c\n d\n@@ -10,2 +11,1 @@\n x\n-y\n"
    lines = diff_lines(text)
    assert lines.in_hunks == {1, 2, 3, 4, 5, 11}
    assert {2, 3} <= lines.changed and 12 in lines.changed and 4 not in lines.changed


def test_changed_functions_map_hunks_to_the_functions_they_touch() -> None:
    """The function the pull request added is changed; untouched ones are not; methods carry their class."""
    spans = changed_functions(HEAD_FILE, diff_lines(patch(BASE_FILE, HEAD_FILE)))
    assert [s.qualname for s in spans] == ["primes_below"]
    assert HEAD_FILE.splitlines()[spans[0].def_line - 1].startswith("def primes_below")
    source = (
        "class A:\n    def f(self):\n        def inner():\n            return 1\n        return inner()\n"
    )
    changed = diff_lines("@@ -4,1 +4,1 @@\n-            return 0\n+            return 1\n")
    assert [s.qualname for s in changed_functions(source, changed)] == ["A.f"]


def test_patching_is_exact_and_merges_edits_of_one_file() -> None:
    """Diffs apply exactly (a mismatch refuses), and two edits of one file apply together."""
    both, applied = apply_diffs(HEAD_FILE, [primes_below_edit(), is_prime_edit()])
    assert applied == [0, 1] and FAST_LINE in both and "math.isqrt(n)" in both
    assert apply_diff(HEAD_FILE, primes_below_edit()) == HEAD_FILE.replace(SLOW_LINE, FAST_LINE)
    with pytest.raises(PatchMismatch):
        apply_diff(BASE_FILE, primes_below_edit())
    shifted = edit_diff("f.py", "a\nb\nc\n", "a\nx\ny\nb\nc\n")
    assert apply_diff("a\nb\nc\n", shifted) == "a\nx\ny\nb\nc\n"


def test_only_edits_whose_lower_bound_clears_min_speedup_are_published() -> None:
    """A 1.3x-median edit whose interval starts at 1.05 is not published at min_speedup 1.10."""
    weak = improved("is_prime", is_prime_edit(), ci=(1.05, 1.6))
    found, notes = publishable(
        report(improved("primes_below", primes_below_edit()), weak), 1.10, NO_EXPLANATION
    )
    assert [f.qualname for f in found] == ["primes_below"] and "does not clear" in notes[0]
    assert found[0].cases == 98 and found[0].inputs == {"captured": 1, "hypothesis": 97}


def test_placement_suggestion_followup_and_fork_patch() -> None:
    """An edit inside the diff is a suggestion; one outside goes to the follow-up; a fork gets patches."""
    found, _ = publishable(
        report(
            improved("primes_below", primes_below_edit()),
            improved("is_prime", is_prime_edit(), ci=(1.2, 1.4)),
        ),
        1.10,
        NO_EXPLANATION,
    )
    lines = {f.path: diff_lines(f.patch) for f in changed_files()}
    placed = decide(found, lines, RepoConfig(), fork=False).findings
    assert [(f.qualname, f.place) for f in placed] == [
        ("primes_below", Place.SUGGESTION),
        ("is_prime", Place.FOLLOWUP),
    ]
    suggestion = placed[0].suggestion
    assert (
        suggestion is not None and suggestion.lines == (FAST_LINE[0:],) and suggestion.start == suggestion.end
    )
    assert HEAD_FILE.splitlines()[suggestion.start - 1] == SLOW_LINE
    forked = decide(found, lines, RepoConfig(), fork=True).findings
    assert [f.place for f in forked] == [Place.SUGGESTION, Place.PATCH]
    assert all(f.place is Place.PATCH for f in demote(forked))
    none = decide(found, lines, RepoConfig(max_suggestions=0, followup="never"), fork=False).findings
    assert {f.place for f in none} == {Place.PATCH}


def test_a_long_edit_is_not_a_suggestion() -> None:
    """An edit replacing more lines than max_suggestion_lines goes elsewhere."""
    found, _ = publishable(report(improved("primes_below", primes_below_edit())), 1.1, NO_EXPLANATION)
    lines = diff_lines(changed_files()[0].patch)
    assert suggestion_for(found[0], lines, max_lines=1) is not None
    longer = edit_diff(
        "ex_primes.py", HEAD_FILE, HEAD_FILE.replace(SLOW_LINE, FAST_LINE + "\n        pass\n        pass")
    )
    found, _ = publishable(report(improved("primes_below", longer)), 1.1, NO_EXPLANATION)
    assert suggestion_for(found[0], lines, max_lines=2) is None

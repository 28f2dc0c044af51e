"""A report built from domain objects whose every user-supplied string carries markup."""

from __future__ import annotations

from typing import Any

from optiagent.domain.composition import ComposedFile, DroppedEdit
from optiagent.domain.report import Report, TargetReport, TargetStatus

HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
HOSTILE_FILE = "pkg/<b onmouseover=alert(1)>$x$.py"  # markup, and mathtext for matplotlib

DIFF = f'''--- a/pkg/core.py
+++ b/pkg/core.py
@@ -1,7 +1,8 @@
 def common(xs: list[int], ys: list[int]) -> list[int]:
     """Items of xs in ys. {HOSTILE}"""
     out = []
+    ys_set = set(ys)
     for x in xs:
-        if x in ys:
+        if x in ys_set:
             out.append(x)
     return out
'''


def sample_report() -> dict[str, Any]:
    improved = TargetReport(
        file="pkg/core.py",
        qualname="common",
        status=TargetStatus.IMPROVED,
        reason="1 of 2 candidates accepted",
        speedup=12.5,
        ci=(9.0, 15.0),
        candidates=2,
        strategy="catalogue",
        rules=["OPT002"],
        diff=DIFF,
        evidence={
            "inputs_checked": {"captured": 4, "hypothesis": 150, "stress": 3},
            "verdict_from_cache": False,
            "stress_scale": 8.0,
            "largest_input_size": 3200,
            "slowest_input": {"source": "stress", "original_s": 0.2, "candidate_s": 0.004},
            "original_time_exponent": 2.0,
            "candidate_time_exponent": 1.0,
            "original_s": 0.05,
            "candidate_s": 0.004,
            "pairs": 8,
            "scaling": {
                "size_of": "largest argument",
                "original": [[400.0, 0.001], [800.0, 0.004], [1600.0, 0.016], [3200.0, 0.064]],
                "candidate": [[400.0, 1e-4], [800.0, 2e-4], [1600.0, 4e-4], [3200.0, 8e-4], [6400.0, 1.6e-3]],
            },
        },
        notes=[f"note {HOSTILE}"],
        self_check="equivalent",
        measurements=[
            {"candidate": "OPT002", "speedup": 12.5, "ci": [9.0, 15.0], "pairs": 8, "accepted": True}
        ],
        rejected=[
            {
                "candidate": "OPT015",
                "verdict": "mismatch",
                "detail": f"results differ {HOSTILE}",
                "input_source": "hypothesis",
                "counterexample": f"common(xs=[{HOSTILE!r}], ys=[])",
                "from_cache": False,
            }
        ],
    )
    unchanged = TargetReport(
        file=HOSTILE_FILE,
        qualname="Index.lookup",
        status=TargetStatus.UNCHANGED,
        reason=f"OPT004: no acceptance at 6 pairs {HOSTILE}",
        candidates=1,
        measurements=[
            {"candidate": "OPT004", "speedup": 1.01, "ci": [0.95, 1.08], "pairs": 6, "accepted": False}
        ],
    )
    skipped = TargetReport(
        file="pkg/io.py",
        qualname="read_all",
        status=TargetStatus.SKIPPED,
        reason="no inputs could be produced",
    )
    hot = TargetReport(file="bench.py", qualname="main", status=TargetStatus.NOT_TARGET, reason=HOSTILE)
    improved.composition = ComposedFile(
        file="pkg/core.py",
        original_hash="0" * 64,
        source="",
        edits=["common"],
        dropped=[DroppedEdit("Index.lookup", HOSTILE)],
        validated_on=["common"],
        diff=DIFF,
    )
    report = Report(
        run_id="0123456789abcdef0123456789abcdef",
        root=f"/work/{HOSTILE}",
        strategies=["catalogue"],
        sandbox="local",
        targets=[improved, unchanged, skipped, hot],
        skipped_files=[{"file": "broken.py", "reason": f"syntax error {HOSTILE}"}],
        wall_seconds=42.0,
        min_speedup=1.05,
    )
    return report.to_json()

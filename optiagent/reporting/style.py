"""The page's stylesheet (inline: the page fetches nothing)."""

CSS = """
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg2: #f6f8fa; --ok: #1a7f37; --warn: #9a6700;
  --bad: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 20px 0 8px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; background: var(--bg2); }
.card b { display: block; font-size: 22px; } .card span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg2); font-weight: 600; font-size: 12.5px; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.why { color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; border: 1px solid; }
.badge.improved, .badge.applied { color: var(--ok); } .badge.unchanged { color: var(--warn); }
.badge.skipped { color: var(--muted); } .badge.failed { color: var(--bad); }
.speed { color: var(--ok); font-weight: 600; margin-left: 8px; }
section.target { border: 1px solid var(--line); border-radius: 10px; padding: 4px 20px 12px; margin: 28px 0; }
section.target h2 { border: 0; margin-top: 16px; overflow-wrap: anywhere; }
.explain { margin: 0 0 8px; padding-left: 20px; }
.cols { display: grid; grid-template-columns: minmax(280px, 1fr) minmax(320px, 1.3fr); gap: 24px; align-items: start; }
figure.plot { margin: 8px 0; } figure.plot svg { max-width: 100%; height: auto; }
figure.small svg { max-width: 560px; }
figcaption, .muted { color: var(--muted); font-size: 12.5px; }
pre.diff { border: 1px solid var(--line); border-radius: 6px; padding: 8px 0; overflow-x: auto; background: #fff; }
.dl { display: block; padding: 0 12px; white-space: pre; }
.dl.add { background: #e6ffec; } .dl.del { background: #ffebe9; } .dl.meta { color: var(--muted); background: var(--bg2); }
.dl .sign { display: inline-block; width: 1.2em; color: var(--muted); user-select: none; }
pre.example { background: var(--bg2); padding: 8px 10px; border-radius: 6px; white-space: pre-wrap;
  overflow-wrap: anywhere; max-height: 16em; overflow-y: auto; }
details { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; margin: 10px 0; }
summary { cursor: pointer; }
"""

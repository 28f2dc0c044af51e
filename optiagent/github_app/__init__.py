"""The GitHub App: verified and measured speedups on pull requests (a transport, like optiagent.api).

webhook.py receives events, tasks.py does the work on the queue (app.py: the use cases), gates.py
decides whether a pull request runs, hunks.py finds the changed functions and the commentable lines,
findings.py decides where each edit is published and render.py writes it.
"""

"""Code that runs INSIDE a sandbox. Standard library + hypothesis only; imported as `optiagent_harness`.

Imports nothing else of optiagent: it is copied or mounted into the box on its own.
"""

import os as _os
import sys as _sys


def _refuse_network(event: str, args: tuple[object, ...]) -> None:
    if event in ("socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto"):
        raise PermissionError(f"network access is not allowed in the sandbox ({event})")


# Where the sandbox could not create a network namespace, refuse sockets from Python.
if _os.environ.get("OPTIAGENT_NO_NETWORK") == "1":
    _sys.addaudithook(_refuse_network)

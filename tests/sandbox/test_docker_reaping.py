"""Sandbox containers of workers that are gone for good are removed, even when their owner was on
another host name (a worker container that compose recreated): exited ones whose directory has not
been used for a while go, with the directory; a recently used one stays."""

from __future__ import annotations

import os
import time
from pathlib import Path

from optiagent.adapters.sandbox.docker_box import DIR_LABEL, LABEL, OWNER_LABEL
from optiagent.adapters.sandbox.docker_image import image_tag
from optiagent.adapters.sandbox.docker_sandbox import ABANDONED_S, DockerSandbox, reap_stale


def _exited_box(box: DockerSandbox, directory: Path) -> str:
    (directory / "job-x").mkdir(parents=True)
    container = box._client.containers.run(
        image_tag(),
        command=["/bin/sh", "-c", "exit 0"],
        labels={LABEL: "1", OWNER_LABEL: "a-recreated-worker:8:12345", DIR_LABEL: str(directory)},
        network_mode="none",
        detach=True,
    )
    container.wait(timeout=60)
    return str(container.id)


def test_exited_boxes_of_other_hosts_are_removed_once_abandoned(
    docker_box: DockerSandbox, tmp_path: Path
) -> None:
    old, recent = tmp_path / "box-old", tmp_path / "box-recent"
    old_id, recent_id = _exited_box(docker_box, old), _exited_box(docker_box, recent)
    long_ago = time.time() - ABANDONED_S - 60
    os.utime(old, (long_ago, long_ago))
    try:
        reap_stale(docker_box._client)
        remaining = {c.id for c in docker_box._client.containers.list(all=True, filters={"label": LABEL})}
        assert old_id not in remaining and not old.exists()
        assert recent_id in remaining and recent.exists()
    finally:
        docker_box._client.containers.get(recent_id).remove(force=True)

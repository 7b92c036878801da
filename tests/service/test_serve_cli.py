"""`microcred serve`'s choices made before any worker starts: how many workers by default."""

from __future__ import annotations

from pathlib import Path

from microcred.cli._serve import usable_cpus


def test_default_workers_follow_the_cpu_set_and_the_cgroup_quota(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2, 3})
    quota = {"text": "max 100000"}
    real = Path.read_text

    def read_text(self, *args, **kwargs):
        if str(self) == "/sys/fs/cgroup/cpu.max":
            return quota["text"]
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    assert usable_cpus() == 4  # no quota: the CPU set
    quota["text"] = "150000 100000"
    assert usable_cpus() == 2  # 1.5 CPUs of quota: two workers
    quota["text"] = "50000 100000"
    assert usable_cpus() == 1


def test_a_port_in_use_is_a_clear_error_before_any_worker_starts():
    import socket

    import pytest

    from microcred.errors import ConfigError
    from microcred.service import run_workers

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        with pytest.raises(ConfigError, match=r"cannot listen on 127\.0\.0\.1:\d+"):
            run_workers(lambda: None, "127.0.0.1", taken.getsockname()[1], 2, {})
    finally:
        taken.close()

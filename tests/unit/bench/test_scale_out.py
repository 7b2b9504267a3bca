"""``stoa bench --scale-out``: one app process on one core, then two on two sharing the
database; what each round is sent to, and what the report says."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from portal.bench import runner
from portal.bench.load import Round
from portal.bench.report import ScaleOut, misses, scale_out_json, scale_out_table


def test_a_replica_runs_on_the_one_core_it_was_given() -> None:
    cores = runner.two_cores()
    if cores is None:
        pytest.skip("needs two cores")
    for core in cores:
        out = subprocess.run(
            [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
            preexec_fn=runner._pinned_to(core),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert json.loads(out) == [core]


def test_one_replica_rounds_alternate_with_two_replica_rounds(monkeypatch) -> None:
    """The first replica alone gets every connection; then the connections are split between
    both. Two over one is the sum of both replicas' answers over the first's alone."""
    sent: list[tuple[int, ...]] = []
    used = [0.0]  # the replicas' CPU clock: each replica sent load uses a core

    def fake_round(host, port, path, *, ports, seconds, **kwargs) -> Round:
        sent.append(tuple(ports))
        used[0] += seconds * len(ports)
        got = Round(seconds=seconds)
        for p in ports:  # each replica answers 50 requests a second, whoever else serves
            got.latencies.extend([0.01] * int(50 * seconds))
            got.by_port[p] = int(50 * seconds)
        return got

    monkeypatch.setattr(runner, "run_round", fake_round)
    target = runner.Target("dashboard", "page", "/p/acme/dashboard", "client")
    options = runner.Options(database_url="postgresql+psycopg://x/stoa_bench", seconds=2, rounds=2)
    row = runner.measure_scale_out(
        target, (9001, 9002), options, {}, None, page_cache=False, cpu_seconds=lambda: used[0]
    )
    assert sent == [(9001, 9002), (9001,), (9001, 9002), (9001,), (9001, 9002)]  # warm-up first
    assert (row.one_rps, row.two_rps, row.ratio) == (50.0, 100.0, 2.0)
    assert row.per_replica == [200, 200] and row.errors == 0
    assert (row.one_cores, row.two_cores) == (1.0, 2.0)
    assert row.one_rps_per_core == row.two_rps_per_core == 50.0


def test_the_cpu_of_a_process_group_is_counted() -> None:
    """What the cores-used column reads: this test's own process is in its process group."""
    mine = os.times()
    counted = runner.group_cpu_seconds(os.getpgid(0))
    assert counted >= mine.user + mine.system - 0.05
    assert runner.group_cpu_seconds(-1) == 0.0  # no such group


def test_the_default_targets_unless_only_names_others() -> None:
    every = runner.targets(runner.Ids(1, 2, 3, 4, 5, 6), board=7)
    assert [t.name for t in runner.scale_out_targets(every, ())] == ["dashboard", "kanban partial"]
    notes = [t for t in every if t.name == "notes partial"]
    assert runner.scale_out_targets(notes, ("notes partial",)) == notes


def _row(name: str, one: float, two: float, *, page_cache: bool = False) -> ScaleOut:
    return ScaleOut(
        name=name, path="/", page_cache=page_cache, one_rps=one, two_rps=two,
        one_p95_ms=300, two_p95_ms=320, per_replica=[180, 176], one_cores=0.8, two_cores=1.6,
    )  # fmt: skip


def test_the_report_gives_both_figures_and_two_over_one() -> None:
    rows = [_row("dashboard", 40.0, 71.2), _row("dashboard", 400.0, 520.0, page_cache=True)]
    found = scale_out_json(rows, (0, 1), threads=4, connections=16, load=(3.21, 7.5))
    assert found["cores"] == [0, 1] and found["page_cache_seconds"] == 0
    assert found["load_average"] == [3.21, 7.5]
    assert found["workers_per_process"] == 1 and found["threads"] == 4
    dashboard = found["targets"]["dashboard"]
    assert (dashboard["one_rps"], dashboard["two_rps"], dashboard["ratio"]) == (40.0, 71.2, 1.78)
    assert dashboard["per_replica"] == [180, 176] and not dashboard["page_cache"]
    assert (dashboard["one_cores"], dashboard["two_cores"]) == (0.8, 1.6)
    assert (dashboard["one_rps_per_core"], dashboard["two_rps_per_core"]) == (50.0, 44.5)
    assert found["targets"]["dashboard (page cache on)"]["ratio"] == 1.3
    json.dumps(found)  # the last line of the run is one JSON object

    lines = scale_out_table(rows, (0, 1), (3.21, 7.5)).splitlines()
    assert "PAGE_CACHE_SECONDS=0" in "\n".join(lines[:2])
    assert "Load average 3.2 before, 7.5 after." in lines[2]
    dashboard_line = next(line for line in lines if line.startswith("dashboard "))
    assert dashboard_line.split()[1:4] == ["40.0", "71.2", "1.78x"]
    assert dashboard_line.split()[6:8] == ["0.80->1.60", "50->44"]
    assert scale_out_json([], None, threads=4, connections=16) == {"skipped": "needs two cores"}


def test_failed_requests_of_the_replicas_are_a_miss() -> None:
    bad = _row("kanban partial", 40.0, 80.0)
    bad.errors, bad.error_statuses = 3, {500: 3}
    assert misses([], first_load_gzip=0, scale_out=[bad]) == [
        "scale-out kanban partial: 3 failed requests {500: 3}"
    ]
    assert misses([], first_load_gzip=0, scale_out=[_row("dashboard", 40.0, 80.0)]) == []

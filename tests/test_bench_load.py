"""bench/run.py: reading wrk's summary, and what counts as a failed run."""

import pytest

from bench.run import HANG_SECONDS, parse_wrk

SLOW_BUT_FINE = """Running 10s test @ http://127.0.0.1:8900/api/v1/crm/contacts/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   410.12ms  301.55ms   1.98s    70.00%
    Req/Sec    10.20      5.10    30.00     65.00%
  192 requests in 10.01s, 2.10MB read
Requests/sec:     19.18
Transfer/sec:    214.80KB
"""
TIMED_OUT = SLOW_BUT_FINE.replace(
    "Requests/sec:", "  Socket errors: connect 0, read 0, write 0, timeout 1\nRequests/sec:"
)
FAILING = SLOW_BUT_FINE.replace(
    "Requests/sec:",
    "  Socket errors: connect 2, read 1, write 0, timeout 0\n"
    "  Non-2xx or 3xx responses: 3\nRequests/sec:",
)


def test_a_slow_run_with_every_answer_a_200_has_no_errors():
    run = parse_wrk(SLOW_BUT_FINE)
    assert (run.rps, run.errors) == (19.18, 0)


def test_non_2xx_answers_and_connection_errors_fail_the_run():
    run = parse_wrk(FAILING)
    assert (run.non_2xx, run.connect, run.read, run.errors) == (3, 2, 1, 6)


def test_a_request_past_the_hang_limit_still_fails_the_run():
    assert parse_wrk(TIMED_OUT).errors == 1


def test_the_hang_limit_is_far_above_wrks_two_second_default():
    assert HANG_SECONDS >= 30


def test_output_without_a_rate_is_an_error_not_a_silent_zero():
    with pytest.raises(ValueError):
        parse_wrk("unable to connect to 127.0.0.1:8900 Connection refused")


def test_the_smoke_gives_wrk_a_timeout_that_only_a_hang_exceeds(monkeypatch):
    import subprocess

    from bench import run as bench_run

    commands = []

    def fake_run(command, **kwargs):
        commands.append(command)
        return subprocess.CompletedProcess(command, 0, stdout=SLOW_BUT_FINE, stderr="")

    monkeypatch.setattr(bench_run.shutil, "which", lambda name: "/usr/bin/wrk")
    monkeypatch.setattr(bench_run.subprocess, "run", fake_run)
    assert bench_run.throughput("token", seconds=1) == (19.18, 0, "wrk")
    assert f"--timeout={HANG_SECONDS}s" in commands[0]


def test_a_plan_reads_as_its_nodes_the_rows_at_the_bottom_and_the_time():
    from bench.run import plan_summary

    plan = {
        "Execution Time": 826.4,
        "Plan": {
            "Node Type": "Limit",
            "Plans": [
                {
                    "Node Type": "Sort",
                    "Sort Method": "top-N heapsort",
                    "Plans": [
                        {
                            "Node Type": "Seq Scan",
                            "Parallel Aware": True,
                            "Relation Name": "contacts_contact",
                            "Actual Rows": 333334,
                            "Actual Loops": 3,
                        }
                    ],
                }
            ],
        },
    }
    assert plan_summary(plan) == (
        "Limit > Sort (top-N heapsort) > Parallel Seq Scan on contacts_contact; "
        "1,000,002 rows read at the bottom; 826 ms in the database"
    )

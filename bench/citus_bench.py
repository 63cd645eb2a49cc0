"""`make citus-bench`: Relay on the Citus cluster beside one PostgreSQL, same data, same
machine; then the cluster grows by a worker under load, and the big account moves to a
shard of its own.

    make citus                          # the cluster (CITUS_PORT, CITUS_DIR as for it)
    make citus-bench                    # SCALE=0.1: about 10 minutes
    make citus-bench SCALE=0.001        # the smoke run: a minute or two

1. **Side by side.** The bench data (bench/generate.py) is generated into a fresh
   database on the cluster (CITUS_BENCH_DB, distributed by `make citus`'s script) and
   into one on the single PostgreSQL (CITUS_BENCH_SINGLE_URL), both at once. Each is
   served as `make bench` serves (gunicorn, DEBUG off, the psycopg pool), on two ports,
   and the endpoints of `make bench` are measured in turns (a block on one, a block on
   the other, so the shared machine's drift falls on both), then the contacts list's
   throughput at 8 clients on each. The table gives the ratio cluster / single.
2. **Online rebalance.** A third worker (port CITUS_PORT+3) joins and
   `citus_rebalance_start()` moves shards onto it while clients read and create
   contacts. Reported: the rebalance time, the clients' errors, and the acknowledged
   creates missing afterwards (bench/acknowledged.py).
3. **Tenant isolation.** The big account gets shards of its own online
   (scaleout/tenant_isolation.py; `--isolation-mode block_writes` uses Citus's
   `isolate_tenant_to_new_shard` instead), under the same load, and every statement of the main
   endpoints is EXPLAINed: each must run as one task, on the account's new shards.

Results: bench-results/citus.json and citus.md. The cluster is left running (the
bench database in it, worker3 registered there); `make citus-stop` stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as bench_run  # noqa: E402
from bench.acknowledged import BoundedLoad, lost_writes  # noqa: E402

CITUS_PORT = int(os.environ.get("CITUS_PORT", "9700"))
CITUS_DB = os.environ.get("CITUS_BENCH_DB", "relay_bench")
CLUSTER_URL = f"postgres://postgres@127.0.0.1:{CITUS_PORT}/{CITUS_DB}"
SINGLE_URL = os.environ.get(
    "CITUS_BENCH_SINGLE_URL", "postgres://postgres@127.0.0.1:5432/relay_bench_single"
)
# Two servers at once: 8960 (single) and 8961 (cluster) unless told otherwise.
SERVE_PORT = int(os.environ.get("CITUS_BENCH_PORT", "8960"))
SHARD_NAME = re.compile(r"\b([a-z][a-z0-9_]*?)_(\d{6,})\b")


# --- the cluster --------------------------------------------------------------------


def cluster_sh(*args: str, db: str = CITUS_DB) -> str:
    """scaleout/cluster.sh with the bench database; its output."""
    done = subprocess.run(
        [str(ROOT / "scaleout" / "cluster.sh"), *args],
        env=os.environ | {"CITUS_DB": db, "CITUS_PORT": str(CITUS_PORT)},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"cluster.sh {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def node_url(port: int, db: str) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{db}"


def fresh_cluster_database() -> None:
    """The bench database dropped from every node (worker3's too, left by an earlier
    run) and made again: created, migrated and distributed by cluster.sh."""
    try:
        psycopg.connect(node_url(CITUS_PORT, "postgres"), connect_timeout=3).close()
    except psycopg.OperationalError:
        cluster_sh("start", db="relay")  # the nodes are down: start them first
    for port in range(CITUS_PORT, CITUS_PORT + 4):
        try:
            with psycopg.connect(node_url(port, "postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{CITUS_DB}" WITH (FORCE)')
        except psycopg.OperationalError:
            continue  # worker3 not running: it drops its copy when it joins
    cluster_sh("start")
    with psycopg.connect(CLUSTER_URL) as conn:
        if conn.execute("SHOW wal_level").fetchone()[0] != "logical":
            raise SystemExit(
                "citus-bench: the cluster's wal_level is not logical (shards cannot move "
                "online): restart it (make citus-stop; make citus) and run again"
            )


def fresh_single_database(env) -> subprocess.Popen:
    """The single-node database made again; its migrations run in a child process
    (the caller waits for it), beside the cluster's."""
    admin, name = SINGLE_URL.rsplit("/", 1)
    with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return subprocess.Popen(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env
    )


def generate_both(scale: float, envs: dict, out: Path) -> dict:
    """bench/generate.py into both databases at once (a child process each, Django on
    its own DATABASE_URL): {"single": info, "cluster": info}."""
    children = {}
    for name, env in envs.items():
        children[name] = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "generate",
                "--scale",
                str(scale),
                "--out",
                str(out / f"citus-data-{name}.json"),
            ],
            cwd=ROOT,
            env=env,
        )
    infos = {}
    for name, child in children.items():
        if child.wait():
            raise SystemExit(f"citus-bench: generating the {name} database failed")
        infos[name] = json.loads((out / f"citus-data-{name}.json").read_text())
    return infos


def child_generate(args) -> None:
    """In a child process: Django on DATABASE_URL, the data generated, its info saved."""
    from bench.in_process import setup_django

    setup_django()
    from bench.generate import generate

    started = time.perf_counter()
    info = generate(args.scale, log=lambda line: print(f"[{os.environ['DATABASE_URL']}]{line}"))
    info["seconds"] = time.perf_counter() - started
    Path(args.out).write_text(json.dumps(info))


# --- phase 1: side by side ----------------------------------------------------------


def side_by_side(servers: dict, infos: dict, runs: int, rounds: int) -> list[dict]:
    """Each endpoint measured on both servers in `rounds` alternating blocks."""
    # The same endpoints on both sides, each with its own database's ids.
    per_side = {name: bench_run.endpoints(infos[name]) for name in servers}
    rows = []
    for i, (label, method, *_rest) in enumerate(per_side["single"]):
        bulk = "bulk" in label
        block = max(1, (max(3, runs // 4) if bulk else runs) // rounds)
        got = {name: {"latencies": [], "errors": 0, "statuses": set()} for name in servers}
        for r in range(rounds):
            for name, server in servers.items():
                _label, _method, path, body = per_side[name][i]
                session = server["api"] if path.startswith("/api/") else server["ui"]
                latencies, errors, statuses = bench_run.measure(
                    session,
                    method,
                    path,
                    body,
                    block,
                    base=server["base"],
                    warm=3 if r == 0 else 0,
                    first=r * (block + 3),
                )
                got[name]["latencies"] += latencies
                got[name]["errors"] += errors
                got[name]["statuses"] |= statuses
        row = {"endpoint": label, "method": method}
        for name in servers:
            lat = got[name]["latencies"]
            row[name] = {
                "runs": len(lat),
                "p50_ms": bench_run.percentile(lat, 50),
                "p95_ms": bench_run.percentile(lat, 95),
                "errors": got[name]["errors"],
                "statuses": sorted(got[name]["statuses"]),
            }
        row["ratio"] = row["cluster"]["p50_ms"] / row["single"]["p50_ms"]
        rows.append(row)
        print(
            f"  {label:36} single p50 {row['single']['p50_ms']:7.1f} ms  cluster p50 "
            f"{row['cluster']['p50_ms']:7.1f} ms  x{row['ratio']:.2f}  errors "
            f"{row['single']['errors']}/{row['cluster']['errors']}"
        )
    return rows


# --- phase 2: a third worker, rebalanced online -------------------------------------


def placements(conn) -> dict[int, int]:
    """{worker port: shards placed there} of the distributed tables."""
    return dict(
        conn.execute(
            "SELECT nodeport, count(*) FROM citus_shards WHERE citus_table_type = 'distributed' "
            "GROUP BY nodeport ORDER BY nodeport"
        ).fetchall()
    )


def wait_for_job(conn, job_id: int, timeout: float) -> str:
    """The background job's final state ('finished', 'failed', ...), polled twice a second."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        state = conn.execute(
            "SELECT state::text FROM pg_dist_background_job WHERE job_id = %s", [job_id]
        ).fetchone()[0]
        if state in ("finished", "failed", "cancelled"):
            return state
        time.sleep(0.5)
    return "timed out"


def under_load(base: str, token: str, tag: str, action, settle: float):
    """Runs `action()` while the bounded load runs (`settle` seconds before and after);
    (what action returned, seconds it took, LoadReport)."""
    load = BoundedLoad(base, token, tag=tag).start()
    try:
        time.sleep(settle)
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
        time.sleep(settle)
    finally:
        report = load.stop()
    return result, seconds, report


def load_summary(report, account_id: int) -> dict:
    with psycopg.connect(CLUSTER_URL) as conn, conn.cursor() as cursor:
        lost = lost_writes(cursor, account_id=account_id, acknowledged=report.acknowledged)
    print(
        f"  load: {report.reads} reads, {report.creates} creates "
        f"({len(report.acknowledged)} acknowledged), {report.errors} errors, "
        f"{len(lost)} acknowledged creates lost, slowest request {report.slowest_ms:.0f} ms"
    )
    for sample in report.error_samples:
        print(f"    error: {sample}")
    return {
        "reads": report.reads,
        "creates": report.creates,
        "acknowledged": len(report.acknowledged),
        "errors": report.errors,
        "error_samples": report.error_samples,
        "lost": lost,
        "slowest_ms": report.slowest_ms,
    }


def rebalance(server: dict, info: dict, settle: float) -> dict:
    print(cluster_sh("add-worker").strip() or "citus-bench: worker3 already registered")
    with psycopg.connect(CLUSTER_URL, autocommit=True) as conn:
        before = placements(conn)

        def move():
            job = conn.execute("SELECT citus_rebalance_start()").fetchone()[0]
            if job is None:
                return "nothing to move"
            return wait_for_job(conn, job, timeout=1800)

        state, seconds, report = under_load(
            server["base"], server["token"], "rebalance", move, settle
        )
        after = placements(conn)
    print(f"  rebalance: {state} in {seconds:.1f}s; shards per worker {before} -> {after}")
    return {
        "state": state,
        "seconds": seconds,
        "before": before,
        "after": after,
        "load": load_summary(report, info["account_id"]),
    }


# --- phase 3: the big account on shards of its own ----------------------------------


def isolate(server: dict, info: dict, settle: float, out: Path, mode: str) -> dict:
    """The big account split onto shards of its own, in shard transfer `mode`: 'auto'
    (online, by logical replication) by default, through
    scaleout.tenant_isolation.isolate_account, which puts the new shards on another
    original worker (Citus's own isolate_tenant_to_new_shard keeps them on the old
    node and there stalls under writes: see that module). 'block_writes' uses
    isolate_tenant_to_new_shard: the account's writes wait for the split, none may be
    lost."""
    from scaleout.tenant_isolation import isolate_account

    account = info["account_id"]
    with psycopg.connect(CLUSTER_URL, autocommit=True) as conn:

        def split():
            if mode != "block_writes":
                # Not worker3: the next step moves the shards there, online too.
                (target,) = conn.execute(
                    "SELECT nodeid FROM pg_dist_node WHERE groupid <> 0 AND nodeport <> %s "
                    "AND groupid <> (SELECT groupid FROM pg_dist_placement WHERE shardid = "
                    "get_shard_id_for_distribution_column('contacts_contact', %s::bigint)) "
                    "ORDER BY nodeid LIMIT 1",
                    [CITUS_PORT + 3, account],
                ).fetchone()
                return isolate_account(conn.cursor(), account, node_id=target)
            return conn.execute(
                "SELECT isolate_tenant_to_new_shard('contacts_contact', %s::bigint, 'CASCADE', "
                "shard_transfer_mode => %s::citus.shard_transfer_mode)",
                [account, mode],
            ).fetchone()[0]

        shard, seconds, report = under_load(
            server["base"], server["token"], "isolate", split, settle
        )
        low, high, port = conn.execute(
            "SELECT s.shardminvalue, s.shardmaxvalue, n.nodeport FROM pg_dist_shard s "
            "JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid) "
            "WHERE s.shardid = %s",
            [shard],
        ).fetchone()
        # The account's shards of every co-located table: the same hash range.
        group = [
            sid
            for (sid,) in conn.execute(
                "SELECT shardid FROM pg_dist_shard WHERE shardminvalue = %s AND shardmaxvalue = %s",
                [low, high],
            ).fetchall()
        ]
    print(
        f"  isolated account {account} in {seconds:.1f}s: contacts shard {shard} "
        f"(hash range {low}..{high}, on port {port}), {len(group)} co-located shards"
    )
    summary = {
        "mode": mode,
        "seconds": seconds,
        "shard": shard,
        "hash_range": [int(low), int(high)],
        "port": port,
        "shards": len(group),
        "load": load_summary(report, account),
    }
    (out / "citus-isolated-shards.json").write_text(json.dumps(group))
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "explain",
            "--info",
            str(out / "citus-data-cluster.json"),
            "--shards",
            str(out / "citus-isolated-shards.json"),
            "--out",
            str(out / "citus-explain.json"),
        ],
        cwd=ROOT,
        env=server["env"],
    )
    if done.returncode:
        raise SystemExit("citus-bench: EXPLAIN of the endpoints failed")
    summary["routing"] = json.loads((out / "citus-explain.json").read_text())
    for row in summary["routing"]:
        print(
            f"  {row['endpoint']:36} {row['statements']:3} statements on distributed "
            f"tables, most tasks {row['max_tasks']}, off the account's shards "
            f"{row['other_shards']}"
        )
    try:
        summary["move"] = move_to_new_worker(server, info, shard, port, settle)
    except psycopg.Error as exc:  # reported (and the run fails), the rest is kept
        summary["move"] = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"  moving the account's shards failed: {summary['move']['error']}")
    return summary


def move_to_new_worker(server: dict, info: dict, shard: int, port: int, settle: float) -> dict:
    """The isolated account's shards (with everything co-located) moved online onto
    worker3, under load: a move of the biggest shard group, by logical replication."""
    target = CITUS_PORT + 3
    if port == target:
        return {"skipped": "the account's shards are on worker3 already"}
    with psycopg.connect(CLUSTER_URL, autocommit=True) as conn:

        def move():
            conn.execute(
                "SELECT citus_move_shard_placement(%s, '127.0.0.1', %s, '127.0.0.1', %s, "
                "shard_transfer_mode => 'force_logical')",
                [shard, port, target],
            )
            return conn.execute(
                "SELECT pg_size_pretty(sum(shard_size)) FROM citus_shards WHERE nodeport = %s "
                "AND shardid IN (SELECT shardid FROM pg_dist_shard WHERE shardminvalue = "
                "(SELECT shardminvalue FROM pg_dist_shard WHERE shardid = %s))",
                [target, shard],
            ).fetchone()[0]

        size, seconds, report = under_load(server["base"], server["token"], "move", move, settle)
    print(f"  moved the account's shards ({size}) from port {port} to {target} in {seconds:.1f}s")
    return {
        "from": port,
        "to": target,
        "size": size,
        "seconds": seconds,
        "load": load_summary(report, info["account_id"]),
    }


def child_explain(args) -> None:
    """In a child process on the cluster: every statement of each main endpoint,
    EXPLAINed; the task count of its Citus scan and whether every shard it names is
    one of the account's (`--shards`)."""
    from bench.in_process import setup_django

    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.in_process import signed_in_client
    from tests.citus_routing import fan_out

    info = json.loads(Path(args.info).read_text())
    own = set(json.loads(Path(args.shards).read_text()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name::text FROM citus_tables WHERE citus_table_type = 'distributed'"
        )
        distributed = {name for (name,) in cursor.fetchall()}
    rows = []
    for label, method, path, body in bench_run.endpoints(info):
        if method != "GET" and label != "contact create":
            continue
        client, headers = signed_in_client(path, "bench")
        with CaptureQueriesContext(connection) as ctx:
            if method == "GET":
                response = client.get(path, **headers)
            else:
                payload = bench_run.fill(body, 10**6)
                response = client.post(path, payload, content_type="application/json", **headers)
        statements = [
            q["sql"]
            for q in ctx.captured_queries
            if set(re.findall(r'"(\w+)"', q["sql"])) & distributed
            and q["sql"].lstrip().lower().startswith(("select", "insert", "update", "delete"))
        ]
        tasks, others = [], []
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute("EXPLAIN " + sql)
                plan = [line for (line,) in cursor.fetchall()]
                tasks.append(fan_out(plan))
                shards = {
                    int(n) for name, n in SHARD_NAME.findall("\n".join(plan)) if name in distributed
                }
                if shards - own:
                    others.append(sql[:300])
        rows.append(
            {
                "endpoint": label,
                "status": response.status_code,
                "statements": len(statements),
                "max_tasks": max(tasks, default=0),
                "other_shards": len(others),
                "other_samples": others[:3],
            }
        )
    Path(args.out).write_text(json.dumps(rows))


# --- the report ---------------------------------------------------------------------


def write(report: dict, out: Path) -> None:
    out.mkdir(exist_ok=True)
    (out / "citus.json").write_text(json.dumps(report, indent=2, default=str))
    c = report["counts"]
    lines = [
        f"SCALE={report['scale']} ({c['contacts']:,} contacts, {c['events']:,} events in the "
        f"big account); {report['machine']}; calibration loop {report['calibration_ms']:.0f} ms; "
        f"gunicorn, {report['workers']} workers per server; cluster: coordinator + 2 workers "
        f"on the same machine, {report['shard_count']} shards per table.",
        "",
        "| endpoint | single p50 ms | cluster p50 ms | single p95 ms | cluster p95 ms | "
        "cluster / single | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["endpoints"]:
        s, k = r["single"], r["cluster"]
        lines.append(
            f"| {r['endpoint']} | {s['p50_ms']:.1f} | {k['p50_ms']:.1f} | {s['p95_ms']:.1f} | "
            f"{k['p95_ms']:.1f} | {r['ratio']:.2f} | {s['errors'] + k['errors']} |"
        )
    t = report["throughput"]
    lines += [
        "",
        f"Contacts list at 8 clients ({t['tool']}): single {t['single_rps']:.0f} requests/s, "
        f"cluster {t['cluster_rps']:.0f} requests/s (x{t['cluster_rps'] / t['single_rps']:.2f}); "
        f"errors {t['errors']}.",
    ]
    b = report["rebalance"]
    lines += [
        "",
        f"Online rebalance onto a third worker: {b['state']} in {b['seconds']:.1f}s; shards "
        f"per worker port {b['before']} -> {b['after']}. " + load_line(b["load"]),
    ]
    i = report["isolation"]
    how = "`isolate_tenant_to_new_shard`" if i["mode"] == "block_writes" else "`isolate_account`"
    lines += [
        "",
        f"Big account isolated ({how}, {i['mode']}) in "
        f"{i['seconds']:.1f}s: "
        f"{i['shards']} shards of its own (hash range {i['hash_range'][0]}..{i['hash_range'][1]}). "
        + load_line(i["load"]),
        "",
        "| endpoint (big account) | statements on distributed tables | most tasks | "
        "statements off its shards |",
        "|---|---:|---:|---:|",
    ]
    for r in i["routing"]:
        lines.append(
            f"| {r['endpoint']} | {r['statements']} | {r['max_tasks']} | {r['other_shards']} |"
        )
    m = i["move"]
    if "error" in m:
        lines += ["", f"Moving its shards to the new worker failed: {m['error']}"]
    if "load" in m:
        lines += [
            "",
            f"Its shards ({m['size']}) then moved online (`citus_move_shard_placement`, "
            f"force_logical) from port {m['from']} to {m['to']} in {m['seconds']:.1f}s. "
            + load_line(m["load"]),
        ]
    (out / "citus.md").write_text("\n".join(lines) + "\n")
    print(f"citus-bench: wrote {out}/citus.json and {out}/citus.md")


def load_line(load: dict) -> str:
    return (
        f"Under load: {load['reads']} reads and {load['creates']} creates "
        f"({load['acknowledged']} acknowledged), {load['errors']} errors, "
        f"{len(load['lost'])} acknowledged creates lost; slowest request "
        f"{load['slowest_ms']:.0f} ms."
    )


def main(args) -> int:
    smoke = args.scale < 0.01
    runs = args.runs or (6 if smoke else 30)
    rounds = 2 if smoke else 3
    settle = 1.0 if smoke else 3.0
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    envs = {
        "single": bench_run.environment(SINGLE_URL),
        "cluster": bench_run.environment(CLUSTER_URL),
    }
    print(f"citus-bench: SCALE={args.scale}; single {SINGLE_URL}; cluster {CLUSTER_URL}")
    started = time.perf_counter()
    migrating = fresh_single_database(envs["single"])
    fresh_cluster_database()
    if migrating.wait():
        raise SystemExit("citus-bench: migrating the single-node database failed")
    bench_run.manage(envs["single"], "collectstatic", "--noinput", "-v0")
    infos = generate_both(args.scale, envs, out)
    setup_seconds = time.perf_counter() - started
    with psycopg.connect(CLUSTER_URL) as conn:  # before the isolation adds shards
        shard_count = conn.execute(
            "SELECT shard_count FROM citus_tables WHERE table_name = 'contacts_contact'::regclass"
        ).fetchone()[0]
    print(f"citus-bench: both databases ready in {setup_seconds:.0f}s")
    calibration = bench_run.calibration_ms()
    servers, processes = {}, []
    try:
        for offset, name in enumerate(("single", "cluster")):
            base = f"http://127.0.0.1:{SERVE_PORT + offset}"
            processes += bench_run.serve(envs[name], args.workers, port=SERVE_PORT + offset)
            token, api, ui = bench_run.sign_in(base)
            servers[name] = {"base": base, "token": token, "api": api, "ui": ui, "env": envs[name]}
        endpoints = side_by_side(servers, infos, runs, rounds)
        seconds = 3 if smoke else 10
        single_rps, single_errors, tool = bench_run.throughput(
            servers["single"]["token"], seconds=seconds, base=servers["single"]["base"]
        )
        cluster_rps, cluster_errors, _ = bench_run.throughput(
            servers["cluster"]["token"], seconds=seconds, base=servers["cluster"]["base"]
        )
        print(
            f"  contacts list, 8 clients ({tool}): single {single_rps:.0f}/s, "
            f"cluster {cluster_rps:.0f}/s"
        )
        print("citus-bench: a third worker, rebalanced under load")
        rebalanced = rebalance(servers["cluster"], infos["cluster"], settle)
        print("citus-bench: the big account isolated on its own shards")
        isolated = isolate(servers["cluster"], infos["cluster"], settle, out, args.isolation_mode)
    finally:
        bench_run.stop(*processes)
    report = {
        "scale": args.scale,
        "counts": infos["single"]["counts"],
        "setup_seconds": setup_seconds,
        "generate_seconds": {name: info["seconds"] for name, info in infos.items()},
        "machine": bench_run.machine(),
        "calibration_ms": calibration,
        "workers": args.workers,
        "shard_count": shard_count,
        "endpoints": endpoints,
        "throughput": {
            "tool": tool,
            "single_rps": single_rps,
            "cluster_rps": cluster_rps,
            "errors": single_errors + cluster_errors,
        },
        "rebalance": rebalanced,
        "isolation": isolated,
        "total_seconds": time.perf_counter() - started,
    }
    write(report, out)
    failures = [
        *(
            f"{r['endpoint']}: errors"
            for r in endpoints
            if r["single"]["errors"] + r["cluster"]["errors"]
        ),
        *(["throughput: errors"] if single_errors + cluster_errors else []),
        *([f"rebalance: {rebalanced['state']}"] if rebalanced["state"] != "finished" else []),
        *([f"move: {isolated['move']['error']}"] if "error" in isolated["move"] else []),
        *(
            f"{phase}: {part['load']['errors']} errors, {len(part['load']['lost'])} lost"
            for phase, part in (
                ("rebalance", rebalanced),
                ("isolation", isolated),
                ("move", isolated["move"]),
            )
            if "load" in part
            # A blocking split holds the account's writes for as long as it copies:
            # clients may give up waiting (reported); a lost write is a failure.
            and (
                part["load"]["lost"]
                or (part["load"]["errors"] and part.get("mode") != "block_writes")
            )
        ),
        *(
            f"{r['endpoint']}: not single-shard"
            for r in isolated["routing"]
            if r["max_tasks"] > 1 or r["other_shards"]
        ),
    ]
    print(f"citus-bench: done in {report['total_seconds']:.0f}s")
    for failure in failures:
        print(f"citus-bench: FAILED {failure}")
    return 1 if failures else 0


def parse(argv=None):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step")
    generate = sub.add_parser("generate", help="(child process) generate into DATABASE_URL")
    generate.add_argument("--scale", type=float, required=True)
    generate.add_argument("--out", required=True)
    explain = sub.add_parser("explain", help="(child process) EXPLAIN the endpoints")
    explain.add_argument("--info", required=True)
    explain.add_argument("--shards", required=True)
    explain.add_argument("--out", required=True)
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", 0.1)))
    parser.add_argument("--runs", type=int, default=0, help="requests per endpoint and side")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument("--out", default="bench-results")
    parser.add_argument(
        "--isolation-mode",
        default="auto",
        choices=["auto", "block_writes"],
        help="shard transfer mode of the tenant isolation (see isolate())",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    if arguments.step == "generate":
        child_generate(arguments)
    elif arguments.step == "explain":
        child_explain(arguments)
    else:
        with contextlib.suppress(KeyboardInterrupt):
            sys.exit(main(arguments))

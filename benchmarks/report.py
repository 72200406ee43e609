#!/usr/bin/env python3
"""Turns bench_sqlite / bench_postgres / bench_mariadb JSON (--benchmark_out) into the article's table and an SVG chart.

    python3 benchmarks/report.py bench-results/sqlite.json bench-results/postgres.json \
        --markdown bench-results/report.md --svg bench-results/rows_per_second.svg

Uses the median aggregate of the repetitions (or the single run of a benchmark that ran once).
Efficiency (a strategy's rows/s over its hand-written baseline's) is the median of paired ratios:
each repetition of the strategy over the baseline's repetition that started nearest to it in time
(the started_s counter), so that a slow spell of a shared machine divides out. With --pairs, the
targets are judged on separate runs of just each compared pair (scripts/bench.sh makes them).
Prints the markdown table on stdout. Python 3 standard library only.
"""

import argparse
import json
import math
import re
import sys
from html import escape

NAME = re.compile(r"^BM_(?P<backend>Sqlite|Postgres|Mariadb)_(?P<method>.+?)(?P<light>_Light)?$")
# Name segments that tell runs of one family apart (BM_Postgres_Parallel_Copy/workers:2/rows:100000/...):
# they stay in the method's key ("Parallel_Copy/workers:2"); rows:, iterations:, manual_time do not.
PARAMS = ("workers:", "rps:", "chunk:")

# Rows of each table, in the article's order (slowest first), then the hand-written references.
ORDER = ["PerRow", "ExecuteMany", "MultiValues", "Copy",
         "Baseline_PreparedLoop", "Baseline_ArrayBinding", "Baseline_MultiValues", "Baseline_LoadData",
         "Baseline_CopyBinary", "Baseline_ServerCopy", "Baseline_ServerInsert"]

# What each strategy is measured against (rows/s of the strategy / rows/s of the baseline).
EFFICIENCY = {
    ("Postgres", "light", "Copy"): "Baseline_CopyBinary",
    ("Postgres", "article", "Copy"): "Baseline_ServerCopy",
    ("Postgres", "light", "MultiValues"): "Baseline_MultiValues",
    ("Postgres", "article", "MultiValues"): "Baseline_MultiValues",
    ("Sqlite", "light", "MultiValues"): "Baseline_PreparedLoop",
    ("Sqlite", "article", "MultiValues"): "Baseline_PreparedLoop",
    ("Sqlite", "light", "ExecuteMany"): "Baseline_PreparedLoop",
    ("Sqlite", "article", "ExecuteMany"): "Baseline_PreparedLoop",
    # MariaDB: each strategy against its hand-written twin; the server alone is in the Targets table.
    ("Mariadb", "light", "ExecuteMany"): "Baseline_ArrayBinding",
    ("Mariadb", "article", "ExecuteMany"): "Baseline_ArrayBinding",
    ("Mariadb", "light", "MultiValues"): "Baseline_MultiValues",
    ("Mariadb", "article", "MultiValues"): "Baseline_MultiValues",
    ("Mariadb", "light", "Copy"): "Baseline_LoadData",
    ("Mariadb", "article", "Copy"): "Baseline_LoadData",
}

# The article's numbers (SQLAlchemy, PostgreSQL, 100k rows) next to the strategy that does the same.
ARTICLE = {
    "PerRow": "session.add() loop: ~120 s",
    "ExecuteMany": "bulk_insert_mappings(): ~8 s",
    "MultiValues": "Core insert().values(): ~3 s",
    "Copy": "PostgreSQL COPY: ~0.5 s",
}

BACKEND_TITLE = {"Sqlite": "SQLite", "Postgres": "PostgreSQL", "Mariadb": "MariaDB"}
# A backend's default strategy as bench_mariadb names it in its context (mariadb_default_strategy).
STRATEGY_METHOD = {"per_row": "PerRow", "multi_values": "MultiValues", "execute_many": "ExecuteMany", "copy": "Copy"}
WORKLOAD_TITLE = {"article": "article schema (unique username, FK to roles)", "light": "light schema (primary key only)"}

TIME_UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def load(paths):
    """Returns (results, context): results[(backend, workload, method)] = dict of the median run."""
    results, context = {}, {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for key, value in data.get("context", {}).items():
            if key not in ("caches",):
                context.setdefault(key, value)
        runs = {}
        for b in data.get("benchmarks", []):
            segments = b.get("run_name", b["name"]).split("/")
            m = NAME.match(segments[0])
            if not m:
                continue
            params = [seg for seg in segments[1:] if seg.startswith(PARAMS)]
            key = (m["backend"], "light" if m["light"] else "article", "/".join([m["method"]] + params))
            kind = b.get("run_type")
            if b.get("error_occurred"):
                runs.setdefault(key, {})["error"] = b.get("error_message", "error")
            elif kind == "aggregate" and b.get("aggregate_name") == "median":
                runs.setdefault(key, {})["median"] = b
            elif kind == "iteration":
                runs.setdefault(key, {}).setdefault("iterations", []).append(b)
        def iteration_rate(b):
            seconds = b["real_time"] * TIME_UNIT.get(b.get("time_unit", "ns"), 1e-9)
            return b.get("items_per_second") or ((b.get("rows") or 0) / seconds if seconds > 0 else 0.0)
        for key, r in runs.items():
            if "median" in r:
                b = r["median"]
            elif r.get("iterations"):
                b = r["iterations"][0] if len(r["iterations"]) == 1 else None
                if b is None:  # repetitions without aggregates: take the median ourselves
                    its = sorted(r["iterations"], key=lambda x: x["real_time"])
                    b = its[len(its) // 2]
            else:
                results[key] = {"error": r.get("error", "no result")}
                continue
            seconds = b["real_time"] * TIME_UNIT.get(b.get("time_unit", "ns"), 1e-9)
            rows = b.get("rows") or 0
            rate = b.get("items_per_second") or (rows / seconds if seconds > 0 else 0.0)
            results[key] = {
                "seconds": seconds,
                "rows": int(round(rows)),
                "rate": rate,
                "statements": b.get("statements"),
                "client_cpu_ms": b.get("client_cpu_ms"),
                "bytes": b.get("bytes"),
                "peak_rss_MiB": b.get("peak_rss_MiB"),
                "rss_growth_MiB": b.get("rss_growth_MiB"),
                "repetitions": b.get("repetitions", 1),
                "error": r.get("error"),
                # (started_s, rows/s) of every repetition, for paired ratios
                "runs": sorted((it["started_s"], iteration_rate(it)) for it in r.get("iterations", [])
                               if it.get("started_s", -1) >= 0 and iteration_rate(it) > 0),
            }
    return results, context


def param_sort_value(seg):
    """rps:max after every number; numbers in numeric order."""
    name, _, value = seg.partition(":")
    return (name, float("inf") if value == "max" else float(value) if value.replace(".", "").isdigit() else 0, value)


def method_sort_key(method):
    head, *params = method.split("/")
    base = head.replace("_Stream1M", "")
    return (ORDER.index(base) if base in ORDER else len(ORDER), head, [param_sort_value(p) for p in params])


def is_core(method):
    """The article's strategies and the baselines: the main tables. The rest has sections of its own."""
    return method in ORDER


def group_key(group):
    """SQLite, PostgreSQL, MariaDB; the article schema before the light one."""
    return (list(BACKEND_TITLE).index(group[0]), group[1] != "article")


def fmt_rate(rate):
    if rate >= 1e6:
        return f"{rate / 1e6:.2f} M"
    if rate >= 1e3:
        return f"{rate / 1e3:.1f} k"
    return f"{rate:.0f}"


def tick_label(v):
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:g}{suffix}"
    return f"{v:g}"


def fmt_seconds(s):
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def cpu_per_row(r):
    cpu = r.get("client_cpu_ms")
    return f"{cpu * 1e3 / r['rows']:.2f}" if cpu is not None and r.get("rows") else ""


def cpu_share(r):
    cpu = r.get("client_cpu_ms")
    return f"{cpu / (r['seconds'] * 1e3) * 100:.0f}%" if cpu is not None and r.get("seconds") else ""


def bm_name(backend, workload, method):
    head, *params = method.split("/")
    return "/".join([f"BM_{backend}_{head}{'_Light' if workload == 'light' else ''}"] + params)


def ratio(a, b):
    return f"{a['rate'] / b['rate']:.2f}" if a and b and a.get("rate") and b.get("rate") else "n/a"


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return None if n == 0 else xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def paired(a, b):
    """(median, low, high, n) of a's rows/s over b's, each repetition of a against the repetition of b that
    started nearest to it in time; None without per-repetition start times."""
    ra, rb = (a or {}).get("runs"), (b or {}).get("runs")
    if not ra or not rb:
        return None
    ratios = [rate / min(rb, key=lambda x: abs(x[0] - t))[1] for t, rate in ra]
    return median(ratios), min(ratios), max(ratios), len(ratios)


def efficiency(a, b):
    """a's rows/s over b's: the paired median where start times allow, else the ratio of the medians."""
    p = paired(a, b)
    if p:
        return p[0]
    return a["rate"] / b["rate"] if a and b and a.get("rate") and b.get("rate") else None


def extra_sections(results):
    """Upserts, parallel loading, pipelined COPY encoding and the rows_per_statement sweep."""
    out = []
    get = results.get

    def cells(key):
        r = get(key)
        if not r or "rate" not in r:
            return f"| `{bm_name(*key)}` | | | {escape((r or {}).get('error') or 'not run')} | | |"
        return (f"| `{bm_name(*key)}` | {r['rows']:,} | {fmt_seconds(r['seconds'])} | {fmt_rate(r['rate'])} "
                f"| {cpu_per_row(r)} | {cpu_share(r)} |")

    upserts = [k for k in results if k[0] == "Postgres" and k[2].startswith("Upsert_")]
    if upserts:
        out.append("\n### PostgreSQL upserts: `ON CONFLICT (username) DO UPDATE SET email = excluded.email`, article schema\n")
        out.append("The table is pre-filled (untimed, then `VACUUM ANALYZE`) with the same usernames and an old email: "
                   "every input row conflicts, or, for `_HalfConflict`, only the even rows do (the odd ones are new). "
                   "`Upsert_Copy` is the library's COPY into a temporary staging table, then one "
                   "`INSERT ... SELECT ... ON CONFLICT` per chunk; `Upsert_MultiValues` is the multi-row INSERT with the "
                   "same clause. *vs plain Copy*: rows/s over `BM_Postgres_Copy` (insert into an empty table).\n")
        out.append("| Method | Rows | Seconds | Rows/s | Client CPU µs/row | CPU/wall | Copy / MultiValues | vs plain Copy |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        plain = get(("Postgres", "article", "Copy"))
        for suffix in ("", "_HalfConflict"):
            c, mv = get(("Postgres", "article", f"Upsert_Copy{suffix}")), get(("Postgres", "article", f"Upsert_MultiValues{suffix}"))
            for m, r in ((f"Upsert_Copy{suffix}", c), (f"Upsert_MultiValues{suffix}", mv)):
                rel = ratio(c, mv) if m.startswith("Upsert_Copy") else ""
                out.append(cells(("Postgres", "article", m)) + f" {rel} | {ratio(r, plain)} |")

    par = sorted({(k[1], k[2].split("/")[0]) for k in results if k[0] == "Postgres" and k[2].startswith("Parallel_")})
    if par:
        out.append("\n### PostgreSQL parallel loading: `ParallelInserter` over N connections\n")
        out.append("Copy runs with `Copy{.rows_per_chunk = 10000}`, so 100,000 rows make 10 chunks to deal out (the "
                   "default 50,000 would make 2); MultiValues' chunk is its 1,000-row statement. *vs 1 worker*: rows/s "
                   "over the same benchmark with 1 worker. *vs single-connection*: rows/s over `BM_Postgres_Copy` / "
                   "`BM_Postgres_MultiValues` (`BulkInserter`, default chunk) on the same schema. The client's CPU "
                   "includes the reader thread and every worker's encoding.\n")
        out.append("| Method | Rows | Seconds | Rows/s | Client CPU µs/row | CPU/wall | vs 1 worker | vs single-connection |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for workload, family in sorted(par, key=lambda x: (x[0] != "article", x[1])):
            single = get(("Postgres", workload, family.replace("Parallel_", "")))
            one = get(("Postgres", workload, f"{family}/workers:1"))
            ms = sorted((k[2] for k in results if k[:2] == ("Postgres", workload) and k[2].split("/")[0] == family),
                        key=method_sort_key)
            for m in ms:
                r = get(("Postgres", workload, m))
                out.append(cells(("Postgres", workload, m)) + f" {ratio(r, one)} | {ratio(r, single)} |")

    enc = sorted({(k[1], k[2].split("/")[1]) for k in results
                  if k[0] == "Postgres" and k[2].startswith("Copy_") and k[2].split("/")[0].endswith("Encode")})
    if enc:
        out.append("\n### PostgreSQL COPY: encoding and sending (prototype in bench_postgres, not library code)\n")
        out.append("One transaction, one `COPY ... (FORMAT binary)` per chunk, rows encoded by the library's "
                   "`detail::pg::copy_binary_row` over `detail::ChunkRows::view`. *SerialEncode*: the library's way "
                   "(encode the chunk whole, then send it in 1 MiB slices, wait for the COPY's result). "
                   "*PipelinedEncode*: a second thread encodes chunk k+1 into a second buffer while chunk k is sent. "
                   "*StreamedEncode*: one thread; the COPY starts first and each 1 MiB slice is sent as soon as it is "
                   "encoded. *HandEncode*: serial, with the hand-written baseline's encoder instead of the library's. "
                   "*vs serial*: rows/s over SerialEncode at the same chunk size.\n")
        out.append("| Method | Rows | Seconds | Rows/s | Client CPU µs/row | CPU/wall | vs serial |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for workload, chunk in sorted(enc, key=lambda x: (x[0] != "article", int(x[1].split(":")[1]))):
            serial = get(("Postgres", workload, f"Copy_SerialEncode/{chunk}"))
            for mode in ("SerialEncode", "PipelinedEncode", "StreamedEncode", "HandEncode"):
                key = ("Postgres", workload, f"Copy_{mode}/{chunk}")
                if key in results:
                    out.append(cells(key) + f" {ratio(get(key), serial)} |")
            lib = ("Postgres", workload, "Copy")
            if lib in results:
                out.append(cells(lib) + f" {ratio(get(lib), serial)} |")

    sweeps = sorted({k[0] for k in results if k[2].startswith("MultiValuesSweep/")})
    if sweeps:
        out.append("\n### MultiValues `rows_per_statement` sweep, light schema\n")
        out.append("`max`: as many rows as the parameter limit allows (PostgreSQL: 65,535 / 4 = 16,383; SQLite: "
                   "`SQLITE_LIMIT_VARIABLE_NUMBER` / 4). *vs 1000*: rows/s over the default's.\n")
        out.append("| Method | Rows | Seconds | Rows/s | Client CPU µs/row | CPU/wall | Statements | vs 1000 |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for backend in sorted(sweeps, key=lambda b: b != "Sqlite"):
            ref = get((backend, "light", "MultiValuesSweep/rps:1000"))
            ms = sorted((k[2] for k in results if k[:2] == (backend, "light") and k[2].startswith("MultiValuesSweep/")),
                        key=method_sort_key)
            for m in ms:
                r = get((backend, "light", m))
                st = f"{r['statements']:.0f}" if r and r.get("statements") is not None else ""
                out.append(cells((backend, "light", m)) + f" {st} | {ratio(r, ref)} |")
    return out


# The targets of the benchmark issue: (backend, workload, strategy, reference, at least this ratio).
RATIO_TARGETS = [
    ("Postgres", "light", "Copy", "Baseline_CopyBinary", 0.95),
    ("Postgres", "light", "MultiValues", "Baseline_MultiValues", 0.95),
    ("Sqlite", "light", "ExecuteMany", "Baseline_PreparedLoop", 0.95),
    ("Postgres", "article", "Copy", "Baseline_ServerCopy", 0.90),
    ("Sqlite", "article", "MultiValues", "ExecuteMany", 1.0),
    ("Sqlite", "light", "MultiValues", "ExecuteMany", 1.0),
    ("Postgres", "article", "ExecuteMany", "PerRow", 3.0),
    ("Postgres", "light", "ExecuteMany", "PerRow", 3.0),
    ("Mariadb", "light", "ExecuteMany", "Baseline_ArrayBinding", 0.95),
    ("Mariadb", "light", "MultiValues", "Baseline_MultiValues", 0.95),
    ("Mariadb", "light", "Copy", "Baseline_LoadData", 0.95),
    # + MariaDB article: the default strategy >= 0.90 x Baseline_ServerInsert (the server alone), added by
    # targets() from the context's mariadb_default_strategy.
]
ARTICLE_ORDER = ["Copy", "MultiValues", "ExecuteMany", "PerRow"]


def ratio_targets(context):
    """RATIO_TARGETS, plus MariaDB's default strategy against the server alone (article schema)."""
    out = list(RATIO_TARGETS)
    default = STRATEGY_METHOD.get(context.get("mariadb_default_strategy", ""))
    if default:
        out.append(("Mariadb", "article", default, "Baseline_ServerInsert", 0.90))
    return out


def targets(results, pairs, context=None):
    """The targets section: each ratio from the pair runs where they hold both benchmarks, else the main run."""
    out = ["\n### Targets\n",
           "Ratios are medians of paired repetitions (see *Efficiency*); *pair run* means a separate run of just "
           "those two benchmarks, interleaved, so that neighbouring repetitions are a second or two apart.\n",
           "| Target | Measured | Range over the pairs | Source | |", "|---|---:|---|---|---|"]
    for backend, workload, a, b, at_least in ratio_targets(context or {}):
        label = f"{BACKEND_TITLE[backend]} {workload}: {a} >= {at_least:g} x {b}"
        if backend == "Mariadb" and b == "Baseline_ServerInsert":
            label += " (the default strategy against the server alone)"
        source = None
        for name, res in (("pair run", pairs), ("main run", results)):
            ra, rb = res.get((backend, workload, a)), res.get((backend, workload, b))
            if ra and rb and ra.get("rate") and rb.get("rate"):
                source = (name, ra, rb)
                break
        if not source:
            continue
        name, ra, rb = source
        p = paired(ra, rb)
        value = p[0] if p else ra["rate"] / rb["rate"]
        spread = f"{p[1]:.2f} to {p[2]:.2f} ({p[3]} repetitions)" if p else "ratio of the medians"
        verdict = "met" if value >= at_least else "**missed**"
        out.append(f"| {label} | {value:.2f} | {spread} | {name} | {verdict} |")
    for workload in ("article", "light"):
        rates = [(m, results.get(("Postgres", workload, m), {}).get("rate")) for m in ARTICLE_ORDER]
        if all(r for _, r in rates):
            ok = all(rates[i][1] > rates[i + 1][1] for i in range(len(rates) - 1))
            shown = " > ".join(f"{m} {fmt_rate(r)}" for m, r in rates)
            out.append(f"| PostgreSQL {workload}: Copy > MultiValues > ExecuteMany > PerRow | {shown} | medians | main run "
                       f"| {'met' if ok else '**missed**'} |")
    for k in sorted(k for k in results if k[2].endswith("Stream1M")):
        r = results[k]
        small = results.get((k[0], k[1], k[2].replace("_Stream1M", "")))
        if "rate" not in r or not small or not small.get("rate"):
            continue
        peak, rel = r.get("peak_rss_MiB") or 0, r["rate"] / small["rate"]
        ok = peak < 64 and rel >= 0.8
        out.append(f"| {bm_name(*k)}: peak RSS < 64 MiB, rows/s >= 0.8 x 100k | {peak:.1f} MiB, {rel:.2f} | one run "
                   f"| main run | {'met' if ok else '**missed**'} |")
    return out


def fastest(results, context):
    """Which library strategy was fastest per MariaDB schema, against the backend's default."""
    default = STRATEGY_METHOD.get(context.get("mariadb_default_strategy", ""))
    out = []
    for workload in ("article", "light"):
        rates = {m: results.get(("Mariadb", workload, m), {}).get("rate") for m in ARTICLE_ORDER}
        rates = {m: r for m, r in rates.items() if r}
        if not rates or not default or default not in rates:
            continue
        best = max(rates, key=rates.get)
        if not out:
            out.append(f"\nMariaDB's default strategy is `{context['mariadb_default_strategy']}` ({default}).  ")
        if best == default:
            out.append(f"MariaDB {workload}: the default is the fastest strategy measured ({fmt_rate(rates[best])} rows/s).  ")
        else:
            out.append(f"MariaDB {workload}: the fastest strategy measured is {best} ({fmt_rate(rates[best])} rows/s), "
                       f"not the default {default} ({fmt_rate(rates[default])} rows/s, "
                       f"{rates[default] / rates[best]:.2f} x).  ")
    return out


def markdown(results, context, pairs=None):
    out = []
    versions = [f"{k}: {context[k]}" for k in ("compiler", "bulkinsert_version", "sqlite_version", "libpq_version",
                                                 "libpqxx_version", "postgres_server_version", "mariadb_client_version",
                                                 "mariadb_server_version") if k in context]
    out.append("## Bulk insert: rows/s by strategy (median of the repetitions)\n")
    if versions:
        out.append("Versions: " + "; ".join(versions) + ".  ")
    if "host_name" in context or "num_cpus" in context:
        load_avg = context.get("load_avg")
        load_txt = f", load average at start {', '.join(f'{x:.2f}' for x in load_avg)}" if load_avg else ""
        model = f"{context['cpu_model']}, " if context.get("cpu_model") else ""
        mem = ""
        if context.get("mem_total", "").endswith("kB"):
            mem = f", {int(context['mem_total'].split()[0]) / 1024 / 1024:.1f} GiB RAM"
        date = f"; run {context['date']}" if context.get("date") else ""
        out.append(f"Machine: {model}{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz"
                   f"{mem}{load_txt}{date}.  ")
    if "mariadb_innodb_flush_log_at_trx_commit" in context:
        out.append("MariaDB server: " + ", ".join(f"{k[len('mariadb_'):]}={context[k]}" for k in (
            "mariadb_innodb_flush_log_at_trx_commit", "mariadb_innodb_doublewrite", "mariadb_sync_binlog",
            "mariadb_log_bin", "mariadb_innodb_buffer_pool_size", "mariadb_max_allowed_packet") if k in context) + ".  ")
    out.append("Seconds are for the rows shown (PostgreSQL and MariaDB PerRow run a tenth of them); rows/s is what to compare. "
               "*vs PerRow*: rows/s over PerRow's on the same backend and schema. *Efficiency*: rows/s over the "
               "hand-written baseline's named in brackets (1.00 = as fast as the best hand-written code), the median "
               "of paired ratios: each repetition against the baseline's repetition that started nearest to it in "
               "time, which divides out the machine's slow and fast spells; *medians* is the plain ratio of the two "
               "medians. "
               "*Client CPU*: this process's CPU time during the insert, per row (the server's is not included); "
               "*CPU/wall*: that CPU time over the wall time (100% = one client core busy the whole time).\n")

    groups = sorted({(b, w) for (b, w, m) in results}, key=group_key)
    for backend, workload in groups:
        methods = sorted((m for (b, w, m) in results if (b, w) == (backend, workload) and is_core(m)),
                         key=method_sort_key)
        if not methods:
            continue
        with_article = backend == "Postgres" and workload == "article"
        out.append(f"\n### {BACKEND_TITLE[backend]}, {WORKLOAD_TITLE[workload]}\n")
        header = "| Method | Rows | Seconds | Rows/s | vs PerRow | Efficiency | Client CPU µs/row | CPU/wall |"
        rule = "|---|---:|---:|---:|---:|---|---:|---:|"
        if with_article:
            header += " Article (SQLAlchemy, 100k rows) |"
            rule += "---|"
        out.append(header)
        out.append(rule)
        per_row = results.get((backend, workload, "PerRow"), {})
        for m in methods:
            r = results[(backend, workload, m)]
            name = f"BM_{backend}_{m}{'_Light' if workload == 'light' else ''}"
            if r.get("error") and "rate" not in r:
                row = f"| `{name}` | | | error: {escape(r['error'])} | | | | |"
            else:
                vs = f"{r['rate'] / per_row['rate']:.1f}x" if per_row.get("rate") else ""
                eff = ""
                base = EFFICIENCY.get((backend, workload, m))
                if base:
                    b = results.get((backend, workload, base), {})
                    e = efficiency(r, b)
                    if e is None:
                        eff = f"n/a ({base} missing)"
                    else:
                        eff = f"{e:.2f} (vs {base}"
                        if paired(r, b):
                            eff += f"; medians {ratio(r, b)}"
                        eff += ")"
                row = (f"| `{name}` | {r['rows']:,} | {fmt_seconds(r['seconds'])} | {fmt_rate(r['rate'])} | {vs} | {eff} "
                       f"| {cpu_per_row(r)} | {cpu_share(r)} |")
            if with_article:
                row += f" {ARTICLE.get(m, '')} |"
            out.append(row)

    out.extend(targets(results, pairs or {}, context))
    out.extend(fastest(results, context))
    out.extend(extra_sections(results))

    streams = sorted((k for k in results if k[2].endswith("Stream1M")), key=lambda k: (k[0], k[2]))
    if streams:
        out.append("\n### Streaming 1,000,000 rows from a generator (article schema, one run)\n")
        out.append("*vs 100k*: rows/s over the same strategy's 100,000-row (materialised vector) figure above; "
                   "1.00 means cost grows linearly.\n")
        out.append("| Method | Rows | Seconds | Rows/s | Peak RSS (MiB) | RSS growth during insert (MiB) | vs 100k |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for k in streams:
            r = results[k]
            name = f"BM_{k[0]}_{k[2]}"
            if "rate" not in r:
                out.append(f"| `{name}` | | | error: {escape(r.get('error') or '')} | | | |")
                continue
            growth = r.get("rss_growth_MiB")
            growth_txt = "n/a" if growth is None or growth < 0 else f"{growth:.1f}"
            small = results.get((k[0], k[1], k[2].replace("_Stream1M", "")))
            out.append(f"| `{name}` | {r['rows']:,} | {fmt_seconds(r['seconds'])} | {fmt_rate(r['rate'])} | "
                       f"{(r.get('peak_rss_MiB') or 0):.1f} | {growth_txt} | {ratio(r, small)} |")
    return "\n".join(out) + "\n"


def svg(results, context):
    """Horizontal bars, log-scale rows/s, one panel per backend and schema."""
    groups = sorted({(b, w) for (b, w, m) in results}, key=group_key)
    panels = []
    for g in groups:
        ms = sorted((m for (b, w, m) in results if (b, w) == g and "rate" in results[(b, w, m)]), key=method_sort_key)
        if ms:
            panels.append((g, ms))
    rates = [results[(b, w, m)]["rate"] for (b, w), ms in panels for m in ms if results[(b, w, m)]["rate"] > 0]
    if not rates:
        return None
    lo = 10 ** math.floor(math.log10(min(rates)))
    hi = 10 ** math.ceil(math.log10(max(rates) * 1.05))
    width, left, right = 980, 300, 110
    plot_w = width - left - right
    bar_h, gap, panel_head = 18, 6, 42
    top = 84

    def x(v):
        return left + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    height = top + sum(panel_head + len(ms) * (bar_h + gap) + 14 for _, ms in panels) + 60
    colors = {"library": "#2b6cb0", "baseline": "#a0a0a0", "stream": "#38a169"}
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
         f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="17" font-weight="bold">'
         f'bulkinsert: rows per second by strategy (log scale, higher is better)</text>']
    sub = [f"{context.get('rows', '?')} rows per insert (PostgreSQL and MariaDB PerRow: a tenth), median of the repetitions"]
    vers = [context.get(k) for k in ("compiler",) if context.get(k)]
    if context.get("sqlite_version"):
        vers.append(f"SQLite {context['sqlite_version']}")
    if context.get("postgres_server_version"):
        vers.append(f"PostgreSQL {context['postgres_server_version'].split(' ')[0]}, libpq {context.get('libpq_version', '?')}")
    if context.get("mariadb_server_version"):
        vers.append(f"MariaDB {context['mariadb_server_version'].split('-')[0]}, Connector/C {context.get('mariadb_client_version', '?')}")
    s.append(f'<text x="{width / 2}" y="44" text-anchor="middle" fill="#444">{escape("; ".join(sub + vers))}</text>')
    # legend
    has_stream = any(m.endswith("Stream1M") for _, ms in panels for m in ms)
    legend = [("library strategy", "library"), ("hand-written baseline", "baseline")]
    if has_stream:
        legend.append(("library, 1M rows streamed from a generator", "stream"))
    item_w = [16 + 7 * len(label) + 24 for label, _ in legend]  # ~7 px per character at 12 px
    lx = (width - sum(item_w)) / 2
    for (label, key), w in zip(legend, item_w):
        s.append(f'<rect x="{lx:.0f}" y="56" width="12" height="12" fill="{colors[key]}"/>')
        s.append(f'<text x="{lx + 16:.0f}" y="66">{escape(label)}</text>')
        lx += w

    y = top
    for (backend, workload), ms in panels:
        panel_h = len(ms) * (bar_h + gap)
        s.append(f'<text x="10" y="{y + 16}" font-size="14" font-weight="bold">'
                 f'{escape(BACKEND_TITLE[backend] + ", " + WORKLOAD_TITLE[workload])}</text>')
        y0 = y + panel_head
        # decade grid
        d = lo
        while d <= hi * 1.0001:
            gx = x(d)
            s.append(f'<line x1="{gx:.1f}" y1="{y0 - 4}" x2="{gx:.1f}" y2="{y0 + panel_h}" stroke="#ddd"/>')
            s.append(f'<text x="{gx:.1f}" y="{y0 - 7}" text-anchor="middle" fill="#666" font-size="10">'
                     f'{escape(tick_label(d))}</text>')
            d *= 10
        for i, m in enumerate(ms):
            r = results[(backend, workload, m)]
            by = y0 + i * (bar_h + gap)
            kind = "stream" if m.endswith("Stream1M") else "baseline" if m.startswith("Baseline_") else "library"
            name = bm_name(backend, workload, m)
            w = max(1.0, x(r["rate"]) - left)
            s.append(f'<text x="{left - 8}" y="{by + bar_h - 5}" text-anchor="end">{escape(name)}</text>')
            s.append(f'<rect x="{left}" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{colors[kind]}">'
                     f'<title>{escape(name)}: {r["rate"]:.0f} rows/s, {r["rows"]} rows in {r["seconds"]:.3f} s</title></rect>')
            s.append(f'<text x="{left + w + 5:.1f}" y="{by + bar_h - 5}">{escape(fmt_rate(r["rate"]))} rows/s</text>')
        s.append(f'<line x1="{left}" y1="{y0 - 4}" x2="{left}" y2="{y0 + panel_h}" stroke="#333"/>')
        y = y0 + panel_h + 14
    s.append(f'<text x="{left + plot_w / 2}" y="{y + 20}" text-anchor="middle" fill="#444">'
             f'rows per second (log scale)</text>')
    s.append("</svg>")
    return "\n".join(s) + "\n"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("json", nargs="+", help="Google Benchmark JSON files (--benchmark_out)")
    p.add_argument("--markdown", help="also write the table to this file")
    p.add_argument("--svg", help="write the bar chart to this file")
    p.add_argument("--pairs", nargs="*", default=[], help="JSON of runs of just a compared pair, for the targets")
    args = p.parse_args(argv)
    results, context = load(args.json)
    pairs, _ = load(args.pairs) if args.pairs else ({}, {})
    if not results:
        print("report.py: no BM_Sqlite_* / BM_Postgres_* / BM_Mariadb_* results in " + ", ".join(args.json), file=sys.stderr)
        return 1
    table = markdown(results, context, pairs)
    sys.stdout.write(table)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(table)
    if args.svg:
        chart = svg(results, context)
        if chart:
            with open(args.svg, "w", encoding="utf-8") as f:
                f.write(chart)
            print(f"\nchart: {args.svg}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

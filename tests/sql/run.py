#!/usr/bin/env python3
"""Runs a query written by `akar sql` on a real engine over an NDJSON catalogue
and writes its rows as NDJSON, one per listing, for the differential tests
(tests/sql_engines.rs) and the benchmark.

    run.py --engine duckdb|spark --sql QUERY.sql --columns COLUMNS.txt \
           --listings CATALOGUE.ndjson [--out ROWS.ndjson] [--time]
    run.py --engine duckdb|spark --sql QUERY.sql --columns COLUMNS.txt \
           --listings CATALOGUE.ndjson --bench OUT
    run.py --engine duckdb|spark --jobs JOBS.json   # many queries, one session

With `--bench`, the engine runs end to end as `akar eval` does — NDJSON read,
every listing decided, NDJSON written to OUT (a directory for Spark) — and the
seconds it took are printed (Spark's start-up not counted); the query is then
compiled without `--line-column`.

The catalogue's lines get their 1-based number as the column `_line` (the
query is compiled with `--line-column _line`), loaded into a table `listings`
typed by COLUMNS (`akar sql --columns`)."""

import argparse
import json
import os
import sys
import tempfile
import time


def numbered(path):
    """The catalogue with each record's line number as `_line`."""
    out = tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8")
    with open(path, encoding="utf-8") as lines:
        for n, line in enumerate(lines, 1):
            # Spliced in as text: parsing and writing the record again could
            # change its numbers (Python reads them as floats).
            body = line.rstrip()[:-1].rstrip()
            comma = "" if body.endswith("{") else ","
            out.write(f'{body}{comma}"_line":{n}}}\n')
    out.close()
    return out.name


def plain(value):
    """Engine values as JSON: rows and structs as objects, lists as lists."""
    if hasattr(value, "asDict"):
        return {k: plain(v) for k, v in value.asDict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def duckdb_rows(sql, columns, path):
    import duckdb

    con = duckdb.connect()
    quoted = path.replace("'", "''")
    con.execute(
        f"CREATE TABLE listings AS SELECT * FROM read_json('{quoted}', "
        f"format = 'newline_delimited', columns = {columns})"
    )
    started = time.perf_counter()
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    return rows, time.perf_counter() - started


def spark_session():
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[*]")
        .appName("akar-sql")
        .config("spark.sql.session.timeZone", "UTC")
        # The queries of large policies pass Java's 64 KB method limit in
        # whole-stage code generation; Spark would fall back, logging an error.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_query(spark, sql, columns, path):
    frame = spark.read.schema(columns).option("mode", "FAILFAST").json(path)
    frame.cache().count()
    frame.createOrReplaceTempView("listings")
    started = time.perf_counter()
    rows = [row.asDict(recursive=True) for row in spark.sql(sql).collect()]
    elapsed = time.perf_counter() - started
    frame.unpersist()
    return rows, elapsed


def spark_rows(sql, columns, path):
    spark = spark_session()
    try:
        return spark_query(spark, sql, columns, path)
    finally:
        spark.stop()


def write_rows(rows, out):
    rows.sort(key=lambda r: r["line"])
    for row in rows:
        out.write(json.dumps(plain(row), ensure_ascii=False, sort_keys=True))
        out.write("\n")


def run_jobs(engine, jobs_path):
    """Many queries in one session (Spark starts once): a JSON list of
    {"sql", "columns", "listings", "out"} file paths."""
    with open(jobs_path, encoding="utf-8") as f:
        jobs = json.load(f)
    spark = spark_session() if engine == "spark" else None
    try:
        for job in jobs:
            with open(job["sql"], encoding="utf-8") as f:
                sql = f.read()
            with open(job["columns"], encoding="utf-8") as f:
                columns = f.read().strip()
            path = numbered(job["listings"])
            try:
                if spark is None:
                    rows, _ = duckdb_rows(sql, columns, path)
                else:
                    rows, _ = spark_query(spark, sql, columns, path)
            finally:
                os.unlink(path)
            with open(job["out"], "w", encoding="utf-8") as out:
                write_rows(rows, out)
    finally:
        if spark is not None:
            spark.stop()


def duckdb_bench(sql, columns, path, out):
    import duckdb

    con = duckdb.connect()
    quoted = path.replace("'", "''")
    started = time.perf_counter()
    con.execute(
        f"CREATE VIEW listings AS SELECT * FROM read_json('{quoted}', "
        f"format = 'newline_delimited', columns = {columns})"
    )
    target = out.replace("'", "''")
    con.execute(f"COPY ({sql.rstrip().rstrip(';')}) TO '{target}' (FORMAT json)")
    return time.perf_counter() - started


def spark_bench(sql, columns, path, out):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[*]")
        .appName("akar-sql-bench")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    started = time.perf_counter()
    spark.read.schema(columns).json(path).createOrReplaceTempView("listings")
    spark.sql(sql).write.mode("overwrite").json(out)
    elapsed = time.perf_counter() - started
    spark.stop()
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["duckdb", "spark"], required=True)
    parser.add_argument("--sql")
    parser.add_argument("--columns")
    parser.add_argument("--listings")
    parser.add_argument("--jobs")
    parser.add_argument("--out")
    parser.add_argument("--time", action="store_true")
    parser.add_argument("--bench")
    args = parser.parse_args()
    if args.jobs:
        return run_jobs(args.engine, args.jobs)
    with open(args.sql, encoding="utf-8") as f:
        sql = f.read()
    with open(args.columns, encoding="utf-8") as f:
        columns = f.read().strip()
    if args.bench:
        bench = duckdb_bench if args.engine == "duckdb" else spark_bench
        print(f"{bench(sql, columns, args.listings, args.bench):.3f}")
        return
    path = numbered(args.listings)
    try:
        run = duckdb_rows if args.engine == "duckdb" else spark_rows
        rows, elapsed = run(sql, columns, path)
    finally:
        os.unlink(path)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    write_rows(rows, out)
    if args.out:
        out.close()
    if args.time:
        print(f"{args.engine}: {len(rows)} rows in {elapsed:.3f} s, "
              f"{len(rows) / elapsed:.0f} listings/s", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Benchmark corpus-qc against the pyarrow read floor and write bench/RESULTS.md.

    make bench                                  # 1 GB corpus (generated once into bench/data/)
    .venv/bin/python bench/run.py --size-mb 200 # a quicker run
    .venv/bin/python bench/run.py --profile real-pages --size-mb 200 --large-mb 0   # the second corpus

``--profile real-pages`` generates the corpus with the finding density of real pages (``bench/generate.py``)
and writes its figures into their own section of RESULTS.md; the default profile rewrites the rest.

Configurations, each a separate process on the same JSON Lines file (in the page cache after the first):
the floor (``pyarrow.json.read_json(use_threads=False)`` + ``to_pandas()``, nothing else), ``qc check``
with all built-in rules at ``--jobs 1`` and ``--jobs 2``, and ``qc check --engine dask`` against a
two-worker LocalCluster started beforehand (an existing cluster: its start-up is not timed). Peak RSS is
sampled every 0.1 s over the whole process tree (qc plus its workers; for Dask, the client plus the two
worker processes) as proportional set size (PSS: a page shared by forked workers counts once), so it is the
memory the run needed at once.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import PROFILES, REAL_PAGES_MEASURED, generate  # noqa: E402
from startup import BEGIN, write_section  # noqa: E402

#: The section bench/stages.py writes (a profile table per stage), kept when this benchmark runs again.
STAGES_BEGIN = "<!-- stages:begin -->"
#: A hand-written section (what a round of work changed, measured before and after), kept likewise.
NOTES_BEGIN = "<!-- notes:begin -->"

FLOOR = """
import sys
import pyarrow.json as pj
table = pj.read_json(sys.argv[1], read_options=pj.ReadOptions(use_threads=False))
frame = table.to_pandas()
print(len(frame))
"""


NOTES = """## How to read this

- Time is wall-clock for the whole command (interpreter start, imports, worker start-up, the report); CPU s
  adds up every process of the run, so on a busy machine it shows the work done when wall time cannot.
- Input memory is bounded: a JSON Lines block holds at most `batch-rows` lines (8 MiB at most) and at most
  two units per worker are in flight; the tests assert the rows held at once (`RunStats.max_rows_held`).
- Findings memory is bounded: findings stream into a store that keeps the latest `findings-memory-rows`
  (100,000) in memory and spills the rest to a temporary Parquet file; the summary, gate and report model
  are folded batch by batch into a tally with capped heads; reports read the store back in chunks.
- What still grows with the corpus, by design: exact duplicate-doc_id detection keeps 8 bytes per document
  (sorted uint64 hashes), and the repeated-lines rule's pass-one state keeps 16 bytes per distinct
  (site, line) pair, pruned to pairs seen twice past `max_pairs` (5 M pairs, 80 MB).

## Why `--jobs 1` is not within 6× of the floor

See "Where the time goes" below and "Issue 10, round 3" (`bench/stages.py`: CPU per stage and rule kind,
on both corpora). In short, after round 3 on a 100 MB head (10.7 s of stage CPU against the floor's 0.9 s):
no stage is above an eighth of the run. The prefilter (Hyperscan, plus RE2 for the patterns Hyperscan
rejects) and repeated_lines (both passes) take about 13 % each, JSON parsing (done in both passes) 10 %,
phrases 9 % (the RE2 span search on the rows the prefilter hit), canonicalising dates 8 %, BP040
`chrome-blocks` 5–9 %, line_runs 6–7 %, and the parent's serial work (tally, excerpts, report) 14–15 %.
Reading alone (parse and canonicalise) is about 2× the floor. Spans straight from Hyperscan's
start-of-match mode were not done: the Python binding calls back into Python once per match, so it would
replace one Python call per match (RE2) by another, and a phrase alternation compiled as one expression
reports one start per end, which can miss the leftmost-first match RE2 reports; it needs a C-level match
collector and one Hyperscan id per phrase.
"""


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
    except OSError:  # the process ended between two samples: it has no children to count
        pass
    return found


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss(pid: int) -> int:
    """Proportional set size: pages shared by forked workers count once across the tree, not per process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # the process ended between two samples: it holds no memory now
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process tree (plus extra pids) and its CPU time, sampled every 0.1 s."""

    def __init__(self, root: int, extra: list[int] | None = None) -> None:
        super().__init__(daemon=True)
        self.root, self.extra, self.peak, self.stop = root, extra or [], 0, threading.Event()
        self.start_cpu = {pid: _cpu(pid) for pid in self.extra}  # long-lived Dask workers: count this run only
        self.cpu: dict[int, float] = {}

    @property
    def cpu_seconds(self) -> float:
        """CPU seconds the tree used (to the last sample), summed over its processes."""
        return sum(v - self.start_cpu.get(pid, 0.0) for pid, v in self.cpu.items())

    def run(self) -> None:
        while not self.stop.is_set():
            pids, queue = set(self.extra), [self.root]
            while queue:
                pid = queue.pop()
                pids.add(pid)
                queue.extend(_children(pid))
            self.peak = max(self.peak, sum(_rss(p) for p in pids))
            for pid in pids:
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu(pid))
            time.sleep(0.1)


@dataclass
class Result:
    name: str
    command: str
    seconds: float
    peak_rss: int
    cpu_seconds: float
    output: str
    size: int = 0  # bytes of the corpus this configuration read
    posts: int = 0
    #: "" for the main corpus, "marginal" for the twice-as-big corpus, "large" for the memory run at scale.
    role: str = ""


MARGINAL_FLOOR = "floor, marginal run"
MARGINAL_JOBS1 = "qc check, all built-in rules, --jobs 1, marginal run"


def measure(name: str, argv: list[str], extra_pids: list[int] | None = None) -> Result:
    """Run one configuration as a process; return wall time and peak tree RSS."""
    started = time.perf_counter()
    env = {**os.environ, "CI": "true"}  # no progress bar in the benchmark
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = TreeSampler(proc.pid, extra_pids)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{name} failed ({proc.returncode}): {err.strip()[-2000:]}")
    shown = " ".join(a if " " not in a and "\n" not in a else repr(a) for a in argv)
    return Result(name, shown.replace(str(REPO) + "/", ""), seconds, sampler.peak, sampler.cpu_seconds, out + err)


def versions() -> dict[str, str]:
    """Versions of what the numbers depend on."""
    import dask
    import distributed
    import hyperscan
    import pandas
    import pyarrow

    from qc import __version__

    return {"python": platform.python_version(), "corpus-qc": __version__, "pandas": pandas.__version__,
            "pyarrow": pyarrow.__version__, "hyperscan": getattr(hyperscan, "__version__", "?"),
            "google-re2": _dist_version("google-re2"), "dask": dask.__version__,
            "distributed": distributed.__version__}


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def machine() -> str:
    """CPU model, cores and memory of this machine."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory = f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return f"{model}, {os.cpu_count()} cores, {memory} RAM, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus if needed, run every configuration, write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1024.0, help="corpus size (default 1 GB)")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--large-mb", type=float, default=5120.0,
                        help="corpus size for the memory run at scale (default 5 GB; 0 skips it)")
    parser.add_argument("--marginal-mb", type=float, default=None,
                        help="second corpus size for the marginal --jobs 1 run (default twice --size-mb; 0 skips it)")
    parser.add_argument("--skip", action="append", default=[],
                        help="floor, jobs1, marginal, jobs2, memory, dask or large")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="bench",
                        help="corpus shape (bench/generate.py); real-pages goes to its own section")
    parser.add_argument("--warc-only", action="store_true",
                        help="only the web-archive section: the corpus as JSON Lines and as a WARC, --jobs 2 each")
    args = parser.parse_args(argv)
    if args.warc_only:
        return warc_section(args.data, args.size_mb, args.out)
    load = os.getloadavg()
    corpus, size, posts = _corpus(args.data, args.size_mb, args.profile)
    python = sys.executable
    qc = [python, "-m", "qc", "check", str(corpus), "--fail-on", "never", "--format", "terminal",
          "--output", os.devnull]
    results: list[Result] = []
    if "floor" not in args.skip:
        measure("warm page cache", [python, "-c", FLOOR, str(corpus)])
        results.append(measure("floor: pyarrow read_json (1 thread) + to_pandas", [python, "-c", FLOOR, str(corpus)]))
    if "jobs1" not in args.skip:
        results.append(measure("qc check, all built-in rules, --jobs 1", [*qc, "--jobs", "1"]))
    marginal = 2 * args.size_mb if args.marginal_mb is None else args.marginal_mb
    if "marginal" not in args.skip and marginal > args.size_mb and {"floor", "jobs1"}.isdisjoint(args.skip):
        # The marginal cost (a bigger corpus minus this one) cannot hide a slow loop behind start-up time.
        double, double_size, double_posts = _corpus(args.data, marginal, args.profile)
        argv = [python, "-m", "qc", "check", str(double), "--fail-on", "never", "--format", "terminal",
                "--output", os.devnull, "--jobs", "1"]
        measure("warm page cache", [python, "-c", FLOOR, str(double)])
        label = f"{double_size / 1e9:.1f} GB corpus"
        for name, command in [(f"{MARGINAL_FLOOR}, {label}", [python, "-c", FLOOR, str(double)]),
                              (f"{MARGINAL_JOBS1}, {label}", argv)]:
            run = measure(name, command)
            run.size, run.posts, run.role = double_size, double_posts, "marginal"
            results.append(run)
    if "jobs2" not in args.skip:
        results.append(measure("qc check, all built-in rules, --jobs 2", [*qc, "--jobs", "2"]))
    if "memory" not in args.skip:  # the same run with few findings: what the input side alone holds
        results.append(measure("qc check --jobs 2 --select PH (few findings)", [*qc, "--jobs", "2", "--select", "PH"]))
    if "dask" not in args.skip:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            pids = list(client.run(os.getpid).values())
            results.append(measure("qc check --engine dask (LocalCluster: 2 workers x 1 thread)",
                                   [*qc, "--engine", "dask", "--scheduler", cluster.scheduler_address], pids))
    for result in results:
        if result.role != "marginal":
            result.size, result.posts = size, posts
    if "large" not in args.skip and args.large_mb > 0:  # memory must not grow with the corpus: 5x the data
        large, large_size, large_posts = _corpus(args.data, args.large_mb, args.profile)
        run = measure(f"qc check, all built-in rules, --jobs 2, {large_size / 1e9:.1f} GB corpus",
                      [python, "-m", "qc", "check", str(large), "--fail-on", "never", "--format", "terminal",
                       "--output", os.devnull, "--jobs", "2"])
        run.size, run.posts, run.role = large_size, large_posts, "large"
        results.append(run)
    if args.profile == "bench":
        write_results(args.out, corpus, size, posts, results, load)
    else:
        write_profile_section(args.out, args.profile, corpus, size, posts, results, load)
    print(args.out.read_text())
    return 0


def _corpus(data: Path, size_mb: float, profile: str = "bench") -> tuple[Path, int, int]:
    """The generated corpus of ``size_mb`` (made once), its size in bytes and its number of posts."""
    corpus = data / (f"corpus-{size_mb:g}mb.jsonl" if profile == "bench" else f"{profile}-{size_mb:g}mb.jsonl")
    if not corpus.exists():
        print(f"generating {corpus} …", file=sys.stderr)
        generate(corpus, size_mb=size_mb, profile=PROFILES[profile])
    with corpus.open("rb") as handle:
        posts = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))
    return corpus, corpus.stat().st_size, posts


def _table_and_targets(size: int, results: list[Result]) -> list[str]:
    """The configurations' table and the targets they meet or miss."""
    main = [r for r in results if not r.role]
    floor = next((r for r in main if r.name.startswith("floor")), None)
    jobs1 = next((r for r in main if "--jobs 1" in r.name), None)
    jobs2 = next((r for r in main if "--jobs 2" in r.name), None)
    dask_run = next((r for r in results if "dask" in r.name), None)
    lines = [
        "| configuration | seconds | docs/s | MB/s | peak memory (PSS, tree) | CPU s (tree) | × floor time "
        "| × floor CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = f"{r.seconds / floor.seconds:.2f}" if floor and r.size == size else "–"
        cpu = f"{r.cpu_seconds / floor.cpu_seconds:.2f}" if floor and floor.cpu_seconds and r.size == size else "–"
        lines.append(f"| {r.name} | {r.seconds:.1f} | {r.posts / r.seconds:,.0f} | {r.size / 1e6 / r.seconds:,.0f} | "
                     f"{r.peak_rss / 2**20:,.0f} MiB | {r.cpu_seconds:.1f} | {ratio} | {cpu} |")
    lines += ["", "Targets:", ""]
    if floor and jobs1:
        ratio = jobs1.seconds / floor.seconds
        lines.append(f"- `--jobs 1` within 6× of the floor: **{ratio:.2f}×**: {'met' if ratio <= 6 else 'NOT met'}")
    if jobs1 and jobs2:
        speedup = jobs1.seconds / jobs2.seconds
        lines.append(f"- `--jobs 2` at least 1.8× faster than `--jobs 1`: **{speedup:.2f}×**: "
                     f"{'met' if speedup >= 1.8 else 'NOT met'}")
    if dask_run and jobs2:
        ratio = dask_run.seconds / jobs2.seconds
        lines.append(f"- Dask within 1.5× of `--jobs 2`: **{ratio:.2f}×**: {'met' if ratio <= 1.5 else 'NOT met'}")
    peak = max((r.peak_rss for r in results if r is not floor and r.size == size), default=0)
    lines.append(f"- Peak memory (PSS) of any qc configuration on the {size / 1e9:.1f} GB corpus: "
                 f"**{peak / 2**20:,.0f} MiB** (target: under 1 GB): {'met' if peak < 2**30 else 'NOT met'}")
    floor2 = next((r for r in results if r.name.startswith(MARGINAL_FLOOR)), None)
    jobs1_2 = next((r for r in results if r.name.startswith(MARGINAL_JOBS1)), None)
    if floor and jobs1 and floor2 and jobs1_2 and floor2.seconds > floor.seconds:
        ratio = (jobs1_2.seconds - jobs1.seconds) / (floor2.seconds - floor.seconds)
        lines.append(f"- marginal `--jobs 1` time ({jobs1_2.size / 1e9:.1f} GB minus {size / 1e9:.1f} GB) within 6× "
                     f"of the floor's: **{ratio:.2f}×** ({jobs1_2.seconds - jobs1.seconds:.1f} s against "
                     f"{floor2.seconds - floor.seconds:.1f} s): {'met' if ratio <= 6 else 'NOT met'}")
    elif floor and jobs1 and floor2 and jobs1_2:
        lines.append("- marginal `--jobs 1` time: not measurable (the floor did not take longer on the bigger corpus)")
    large = next((r for r in results if r.role == "large"), None)
    if large is not None:
        met = large.size >= 5e9 and large.peak_rss < 2**30
        lines.append(f"- Peak memory (PSS) on the {large.size / 1e9:.1f} GB corpus (target: under 1 GB for 5 GB): "
                     f"**{large.peak_rss / 1e9:.2f} GB**: {'met' if met else 'NOT met'}")
    return lines


def _load_line(load: tuple[float, float, float]) -> str:
    return (f"- Load average when the run started: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min; "
            "2 cores shared with other work: wall times stretch with it, CPU s much less)")


def write_results(out: Path, corpus: Path, size: int, posts: int, results: list[Result],
                  load: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> None:
    """RESULTS.md: machine, versions, commands, the table and the targets (other sections are kept)."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    kept = [old[old.index(begin):old.index(end) + len(end)] for begin, end in _kept_markers(old)]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. One run per "
        "configuration, file in the page cache; the machine is shared with other work, so expect noise.",
        "",
        f"- Machine: {machine()}",
        f"- Versions: {', '.join(f'{k} {v}' for k, v in versions().items())}",
        f"- Corpus: `{corpus.relative_to(REPO) if corpus.is_relative_to(REPO) else corpus}`, {size / 1e6:,.0f} MB, "
        f"{posts:,} posts (`bench/generate.py`: half Chinese, half English, 300 to 6,000 characters, "
        "chrome in 25 % of posts, placeholders 3 %, date defects 5 %, stale copyright 10 %)",
        _load_line(load),
        "",
        *_table_and_targets(size, results),
    ]
    lines += ["", NOTES]
    lines += ["", "## Commands", "", "```"]
    lines += [r.command for r in results]
    lines += ["```", ""]
    text = "\n".join(lines) + "\n"
    for section in kept:  # bench/startup.py's section and other corpora's survive a re-run of this benchmark
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    out.write_text(text, encoding="utf-8")
    _last_run(out, results)


def _kept_markers(text: str) -> list[tuple[str, str]]:
    """(begin, end) markers of the sections other runs own, in the order they appear."""
    found = []
    corpora = [f"<!-- corpus:{name}:begin -->" for name in sorted(PROFILES)]
    for begin in [BEGIN, STAGES_BEGIN, NOTES_BEGIN, WARC_BEGIN, *corpora]:
        end = begin.replace(":begin", ":end")
        if begin in text and end in text:
            found.append((text.index(begin), begin, end))
    return [(begin, end) for _, begin, end in sorted(found)]


def write_profile_section(out: Path, profile: str, corpus: Path, size: int, posts: int, results: list[Result],
                          load: tuple[float, float, float]) -> None:
    """The figures of a ``--profile`` corpus, in its own section of RESULTS.md (replaced on a re-run)."""
    begin, end = f"<!-- corpus:{profile}:begin -->", f"<!-- corpus:{profile}:end -->"
    lines = [
        begin, f"## Second corpus: `{profile}` profile", "",
        f"Written by `bench/run.py --profile {profile}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"- Corpus: `{corpus.relative_to(REPO) if corpus.is_relative_to(REPO) else corpus}`, {size / 1e6:,.0f} MB, "
        f"{posts:,} posts (`bench/generate.py --profile {profile}`: {PROFILES[profile]})",
        *([f"- Finding density it matches: {REAL_PAGES_MEASURED}"] if profile == "real-pages" else []),
        _load_line(load), "",
        *_table_and_targets(size, results), "", "```", *[r.command for r in results], "```", end,
    ]
    write_section(out, "\n".join(lines), begin, end)
    _last_run(out, results)


def _last_run(out: Path, results: list[Result]) -> None:
    (out.parent / "data").mkdir(exist_ok=True)
    (out.parent / "data" / "last-run.json").write_text(json.dumps(
        [{"name": r.name, "seconds": r.seconds, "peak_rss": r.peak_rss, "cpu_seconds": r.cpu_seconds,
          "command": r.command} for r in results],
        indent=2), encoding="utf-8")


WARC_BEGIN = "<!-- warc:begin -->"
WARC_END = "<!-- warc:end -->"


def write_warc(corpus: Path, target: Path) -> tuple[int, int]:
    """The generated posts as a crawl: one gzip member per ``response`` record, each post's lines as blocks of
    a minimal HTML page (so the naive extractor gives the lines back). Returns (bytes, records)."""
    import gzip
    import html

    def member(headers: list[tuple[str, str]], block: bytes) -> bytes:
        head = "WARC/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
        head += f"Content-Length: {len(block)}\r\n\r\n"
        return gzip.compress(head.encode() + block + b"\r\n\r\n", compresslevel=6, mtime=0)

    records = 0
    with corpus.open(encoding="utf-8") as source, target.open("wb") as out:
        out.write(member([("WARC-Type", "warcinfo"), ("WARC-Record-ID", "<urn:uuid:bench-0>"),
                          ("WARC-Date", "2024-11-29T04:32:00Z"), ("Content-Type", "application/warc-fields")],
                         b"software: corpus-qc bench/run.py\r\n"))
        for n, line in enumerate(source):
            post = json.loads(line)
            body = "".join(f"<div>{html.escape(text)}</div>" for text in str(post["text"]).splitlines())
            page = (f"<html><head><title>{html.escape(str(post.get('title') or ''))}</title></head>"
                    f"<body>{body}</body></html>").encode()
            block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page
            out.write(member([("WARC-Type", "response"), ("WARC-Record-ID", f"<urn:uuid:bench-{n + 1}>"),
                              ("WARC-Date", "2024-11-29T04:32:00Z"), ("WARC-Target-URI", str(post.get("url") or "")),
                              ("Content-Type", "application/http; msgtype=response")], block))
            records += 1
    return target.stat().st_size, records


def warc_section(data: Path, size_mb: float, out: Path) -> int:
    """Measure ``qc check --jobs 2`` on the corpus as JSON Lines and as a WARC; write the web-archive section."""
    corpus, size, posts = _corpus(data, size_mb)
    warc = data / f"corpus-{size_mb:g}mb.warc.gz"
    if not warc.exists():
        print(f"writing {warc} …", file=sys.stderr)
        write_warc(corpus, warc)
    warc_size = warc.stat().st_size
    python = sys.executable
    base = ["--fail-on", "never", "--format", "terminal", "--output", os.devnull, "--jobs", "2"]
    runs = [measure("qc check JSON Lines, all built-in rules, --jobs 2", [python, "-m", "qc", "check", str(corpus),
                                                                            *base]),
            measure("qc check WARC (gzip per record, naive html2text: Resiliparse), all built-in rules, --jobs 2",
                    [python, "-m", "qc", "check", str(warc), *base, "--warc-text", "naive"])]
    sizes = [size, warc_size]
    lines = [WARC_BEGIN, "## Web archives", "",
             f"Written by `bench/run.py --warc-only --size-mb {size_mb:g}` on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: the same {posts:,} generated posts as JSON "
             f"Lines ({size / 1e6:,.0f} MB) and as a WARC of `response` records, one gzip member each "
             f"({warc_size / 1e6:,.0f} MB on disk), each post's lines as blocks of a minimal HTML page. Text "
             "extraction: naive (Resiliparse `html2text`, every visible text node; the default). MB/s is of the "
             "JSON Lines text (the same posts), so the rows compare; one run each, on a machine shared with other "
             "work (loaded while this ran): expect noise.", "",
             "| configuration | seconds | docs/s | MB/s (posts as JSON Lines) | MB/s (file on disk) | peak memory "
             "(PSS, tree) | CPU s (tree) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for run, on_disk in zip(runs, sizes, strict=True):
        lines.append(f"| {run.name} | {run.seconds:.1f} | {posts / run.seconds:,.0f} | "
                     f"{size / 1e6 / run.seconds:,.1f} | {on_disk / 1e6 / run.seconds:,.1f} | "
                     f"{run.peak_rss / 2**20:,.0f} MiB | {run.cpu_seconds:.1f} |")
    lines += ["", "```", *(r.command for r in runs), "```", WARC_END]
    section = "\n".join(lines)
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n"
    if WARC_BEGIN in text and WARC_END in text:
        head, rest = text.split(WARC_BEGIN, 1)
        text = head + section + rest.split(WARC_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    out.write_text(text, encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

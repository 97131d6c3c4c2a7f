"""The static build at scale: `factcard build DIR` of generated stores of several sizes.

    python -m bench.build                            # 1,000, 10,000 and 100,000 fact-checks
    python -m bench.build --sizes 1000 --keep        # keep the store in the temp dir for the next run
    python -m bench.build --sizes 10000 --workers 2  # when `factcard build` takes --workers

For each size: generate a varied store (bench.generate --varied: seven languages, about one
fact-check in ten with one or two translations, 1-3 claims), then time a full build into an
empty directory and a second full build with nothing changed (which keeps every file whose
bytes are the same: its new generation starts as hard links to the first one's). Reported per
size:
- fact-checks per second and wall seconds of each build, and the CPU seconds of the build's
  processes (on a shared machine wall time grows with other work; the load average at the end
  of each build is shown beside it);
- the files and bytes of the build (what a server serves: dot files left out) with and without
  the .gz/.br copies; files per fact-check (files without copies, divided by the fact-checks)
  and the most files any one fact-check has (its page, JSON twin, oEmbed answer, share image
  and every card under embed/);
- peak memory: the largest sum of the resident sets of the build's process and all its
  descendants, sampled every 0.2 s from /proc (shared pages of forked workers count once per
  process, so the sum overstates what they take together), and the build process's own peak
  (its VmHWM, which the kernel keeps exactly, so it may exceed the sampled sum).

A benchmark, never a test: the figures belong to this machine and this run. A build of 100,000
fact-checks holds millions of files and folders, each an inode; a size whose estimate would not
fit in the file system's free inodes is skipped (--force runs it anyway).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import generate, slug_of, translation_group

COPIES = (".gz", ".br")
# Inodes per fact-check of a full build and its rebuild, until a size measures them: at most 12
# files (8.5 on average in a varied store), most with two copies, and a folder or two under
# embed/ (a rebuild's files are hard links, but its folders are its own).
INODES_PER_CHECK_GUESS = 32
SAMPLE_EVERY = 0.2
MIB = 1 << 20


# -- memory of a process tree ------------------------------------------------------------


def status_kib(pid: int, fields: tuple[str, ...]) -> dict[str, int]:
    """The named fields of /proc/PID/status in KiB; empty once the process is gone."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in fields:
                    found[name] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return found


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (the children of each of its threads, recursively)."""
    tree, todo = [], [pid]
    while todo:
        each = todo.pop()
        tree.append(each)
        try:
            tasks = os.listdir(f"/proc/{each}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{each}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
            except OSError:
                continue
    return tree


@dataclass
class Peaks:
    tree_kib: int = 0  # the largest sum of VmRSS over the process and its descendants
    main_kib: int = 0  # the process's own VmHWM, as last seen
    most_processes: int = 0


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peaks, self.done = pid, Peaks(), threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            tree = descendants(self.pid)
            total = sum(status_kib(each, ("VmRSS",)).get("VmRSS", 0) for each in tree)
            main = status_kib(self.pid, ("VmRSS", "VmHWM"))
            self.peaks.tree_kib = max(self.peaks.tree_kib, total)
            self.peaks.main_kib = max(self.peaks.main_kib, main.get("VmHWM", 0), main.get("VmRSS", 0))
            self.peaks.most_processes = max(self.peaks.most_processes, len(tree))
            self.done.wait(SAMPLE_EVERY)


# -- one build ---------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the build and the processes it waited for
    load: float  # the 1-minute load average as the build ended: other work on a shared machine shows
    peaks: Peaks
    summary: str  # the build's own last line


def timed_build(command: list[str], env: dict[str, str], log: Path) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with open(log, "wb") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = Sampler(child.pid)
        sampler.start()
        try:
            # The sampler reads /proc/PID until the child is reaped: wait only for its exit first.
            os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        finally:
            sampler.done.set()
            sampler.join()
            if child.poll() is None:  # the benchmark was stopped: so is its build
                child.terminate()
            code = child.wait()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = log.read_text(errors="replace").strip().splitlines()
    if code != 0:
        sys.exit(f"build failed ({code}):\n" + "\n".join(output[-20:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    load = float(Path("/proc/loadavg").read_text().split()[0])
    return Run(wall, cpu, load, sampler.peaks, output[-1] if output else "")


# -- what a build holds ------------------------------------------------------------------


@dataclass
class Files:
    files: int = 0
    bytes: int = 0
    plain_files: int = 0  # without the .gz/.br copies
    plain_bytes: int = 0
    disk_bytes: int = 0  # blocks taken, copies included
    linked: int = 0  # files with another hard link: kept from the generation before
    folders: int = 0  # each generation has its own: a second build needs their inodes again
    per_check: Counter[str] = field(default_factory=Counter)  # plain files by the fact-check they belong to


def owner(relative: str) -> str | None:
    """The slug of the fact-check a built file belongs to, if it belongs to one."""
    top, _, rest = relative.partition("/")
    if top == "checks" and "/" not in rest:
        for suffix in (".html", ".json", ".png"):
            if rest.endswith(suffix):
                return rest.removesuffix(suffix)
    if top == "oembed" and "/" not in rest and rest.endswith(".json"):
        return rest.removesuffix(".json")
    if top == "embed":
        head = rest.partition("/")[0]
        return head.removesuffix(".html") if head else None
    return None


def survey(root: Path) -> Files:
    found = Files()
    folders = [root]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                    found.folders += 1
                    continue
                if entry.name.startswith("."):
                    continue  # the build's own bookkeeping (what it was built from, locks): never served
                info = entry.stat(follow_symlinks=False)
                found.files += 1
                found.bytes += info.st_size
                found.disk_bytes += info.st_blocks * 512
                found.linked += info.st_nlink > 1
                if entry.name.endswith(COPIES):
                    continue
                found.plain_files += 1
                found.plain_bytes += info.st_size
                slug = owner(Path(entry.path).relative_to(root).as_posix())
                if slug:
                    found.per_check[slug] += 1
    return found


def translation_links(root: Path, count: int) -> str:
    """Whether the built page of each member of the first translation group links to the others
    ("Also in ..."), and what the original's says."""
    members = [slug_of(n) for n in range(min(len(translation_group(0)[1]), count))]
    if len(members) < 2:
        return "no translation in this store"
    missing, shown = [], ""
    for slug in members:
        page = root / "checks" / f"{slug}.html"
        also = re.search(
            r'<p class="fc-also"[^>]*>(.*?)</p>', page.read_text(encoding="utf-8") if page.is_file() else ""
        )
        if also is None or any(f'/checks/{other}"' not in also.group(1) for other in members if other != slug):
            missing.append(slug)
        if also is not None and not shown:
            shown = re.sub(r"<[^>]+>", "", also.group(1))
    verdict = "MISSING on " + ", ".join(missing) if missing else "each page links the others"
    return f'translations {" + ".join(members)}: {verdict}; {members[0]}: "{shown}"'


# -- the run ------------------------------------------------------------------------------


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    ram = f"{int(memory.group(1)) / 1024**2:.1f} GiB" if memory else "?"
    return (
        f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {ram} RAM, "
        f"{model.group(1).strip() if model else platform.processor() or '?'}; "
        f"Python {platform.python_version()} ({sys.executable}); {platform.platform()}"
    )


def takes_workers(env: dict[str, str]) -> bool:
    usage = subprocess.run([sys.executable, "-m", "feed.cli", "build", "--help"], env=env, capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    return "--workers" in usage


@dataclass
class Result:
    count: int
    generate_s: float | None  # None: a store kept by an earlier run (--keep)
    first: Run
    again: Run | None  # None: no second build (--no-rebuild)
    files: Files  # of the first build
    kept: int  # files of the second build hard-linked to the first's
    again_files: int

    @property
    def biggest(self) -> int:
        """The most files (without copies) of any one fact-check."""
        return max(self.files.per_check.values(), default=0)


def bench_size(count: int, args: argparse.Namespace, work: Path, extra: list[str]) -> Result:
    # A kept store has a name every run finds; any other is the run's own (another run's
    # cleanup never removes it mid-build).
    database = Path(tempfile.gettempdir() if args.keep else work) / f"factcard-buildbench-{count}.db"
    stores = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    reused = database.exists()
    started = time.monotonic()
    generate(f"sqlite:///{database}", count, varied=True)
    generated = None if reused else time.monotonic() - started  # a kept store may have been topped up
    print(f"store: {database} ({'reused' if generated is None else f'{generated:.1f} s to generate'})", flush=True)

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "FACTCARD_BASE_URL": "https://factcheck.example.org"}
    site = work / f"site-{count}"
    command = [sys.executable, "-m", "feed.cli", "build", str(site), *extra]
    try:
        first = timed_build(command, env, work / f"build-{count}-1.log")
        print(f"full build: {first.wall:.1f} s  ({first.summary})", flush=True)
        one = survey(site.resolve())
        print(translation_links(site.resolve(), count), flush=True)
        if args.no_rebuild:
            return Result(count, generated, first, None, one, 0, 0)
        again = timed_build(command, env, work / f"build-{count}-2.log")
        print(f"second build, nothing changed: {again.wall:.1f} s  ({again.summary})", flush=True)
        two = survey(site.resolve())
    finally:
        shutil.rmtree(site.parent / f".{site.name}.builds", ignore_errors=True)
        if site.is_symlink():
            site.unlink()
        if not args.keep:
            for each in stores:
                each.unlink(missing_ok=True)
    return Result(count, generated, first, again, one, two.linked, two.files)


def table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def time_row(r: Result) -> list[str]:
    first, again = r.first, r.again
    if again is None:
        return [f"{r.count:,}", f"{r.count / first.wall:,.1f}", f"{first.wall:,.1f}", f"{first.cpu:,.1f}",
                "not run", "", "", "", f"{first.peaks.tree_kib / 1024:,.0f}", f"{first.peaks.main_kib / 1024:,.0f}",
                "", str(first.peaks.most_processes), f"{first.load:.1f}",
                "kept" if r.generate_s is None else f"{r.generate_s:,.1f}"]  # fmt: skip
    return [
        f"{r.count:,}", f"{r.count / first.wall:,.1f}", f"{first.wall:,.1f}", f"{first.cpu:,.1f}",
        f"{r.count / again.wall:,.1f}", f"{again.wall:,.1f}", f"{again.cpu:,.1f}",
        f"{r.kept:,} of {r.again_files:,}",
        f"{first.peaks.tree_kib / 1024:,.0f}", f"{first.peaks.main_kib / 1024:,.0f}",
        f"{again.peaks.tree_kib / 1024:,.0f} / {again.peaks.main_kib / 1024:,.0f}", str(first.peaks.most_processes),
        f"{first.load:.1f} / {again.load:.1f}", "kept" if r.generate_s is None else f"{r.generate_s:,.1f}",
    ]  # fmt: skip


def files_row(r: Result) -> list[str]:
    f = r.files
    return [
        f"{r.count:,}", f"{f.plain_files / r.count:,.1f}", str(r.biggest), f"{f.plain_files:,}", f"{f.files:,}",
        f"{f.plain_bytes / MIB:,.0f}", f"{f.bytes / MIB:,.0f}", f"{f.disk_bytes / MIB:,.0f}", f"{f.folders:,}",
    ]  # fmt: skip


def report(results: list[Result], extra: list[str]) -> None:
    print(f"\n## factcard build (store: bench.generate --varied; build options: {' '.join(extra) or 'none'})\n")
    table(
        ["fact-checks", "full build fc/s", "full build s", "CPU s", "rebuild fc/s", "rebuild s", "rebuild CPU s",
         "rebuild kept files", "peak RSS sum MiB", "peak main MiB", "rebuild peak sum / main MiB", "processes",
         "load at end", "store made in s"],
        [time_row(r) for r in results],
    )  # fmt: skip
    table(
        ["fact-checks", "files/fc (no copies)", "max files of one fc", "files (no copies)", "files (with copies)",
         "MiB (no copies)", "MiB (with copies)", "MiB on disk", "folders"],
        [files_row(r) for r in results],
    )  # fmt: skip
    print(f"Machine: {machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="fact-checks per store, comma separated")
    parser.add_argument("--workers", type=int, help="passed to `factcard build --workers` when it takes it")
    parser.add_argument("--keep", action="store_true", help="reuse (and keep) the generated stores in the temp dir")
    parser.add_argument("--force", action="store_true", help="run a size even when its files may not fit")
    parser.add_argument("--no-rebuild", action="store_true", help="time the full build only, not a second one")
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]

    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(Path(__file__).resolve().parents[1]))}
    os.environ["PYTHONPATH"] = env["PYTHONPATH"]
    extra: list[str] = []
    if args.workers is not None:
        if takes_workers(env):
            extra = ["--workers", str(args.workers)]
        else:
            print("`factcard build` takes no --workers: built without it", file=sys.stderr)
    print(f"Machine: {machine()}\n", flush=True)

    # Stopped by a signal, the run still removes its builds (millions of files) and stops its build.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    work = Path(tempfile.mkdtemp(prefix="factcard-buildbench-run-"))
    results: list[Result] = []
    inodes_per_check = float(INODES_PER_CHECK_GUESS)
    try:
        for count in sizes:
            print(f"### {count:,} fact-checks", flush=True)
            free = os.statvfs(work).f_favail
            needed = int(count * inodes_per_check * 1.1)
            if needed > free and not args.force:
                print(f"skipped: about {needed:,} inodes needed (files and folders), {free:,} free (--force runs it)\n")
                continue
            result = bench_size(count, args, work, extra)
            results.append(result)
            inodes_per_check = (result.files.files + 2 * result.files.folders) / count
            print(flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, extra)


if __name__ == "__main__":
    main()

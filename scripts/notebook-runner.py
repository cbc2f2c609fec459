#!/usr/bin/python3
"""Execute one notebook headless with the project's tslab kernel; on failure show the failing cell and its error.

Called by scripts/run-notebooks.sh (which sets JUPYTER_PATH to the project's .jupyter and SEQPE_PROFILE). Run it with
Debian's /usr/bin/python3, which has nbclient (python3-nbclient).

Why nbclient directly and not `jupyter nbconvert --execute`: it is the same engine (nbconvert's ExecutePreprocessor is an
nbclient.NotebookClient), but when a tslab cell fails, nbconvert only prints `<Error>:` -- tslab reports compile errors
as the cell's stderr output, which nbconvert throws away together with the notebook. Here the failing cell's source and
outputs are printed, and the partly executed notebook is saved for inspection. Errors are never allowed through
(no --allow-errors equivalent): tslab silently skips the cells that follow an error.

Progress: one line per code cell as it goes ("cell 7/13 … first line of the cell" when it starts, its seconds when it
ends), so a long training cell is visibly running, not hung.

Usage: notebook-runner.py NOTEBOOK --output PATH [--timeout SECONDS] [--profile NAME]
Exit status: 0 ok, 1 a cell failed (or timed out, or the kernel died), 2 bad usage.
"""
import argparse
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_OUTPUT_LINES = 80


def cell_report(nb, index):
    """The failing cell's source (numbered) and its outputs, as text."""
    cell = nb.cells[index]
    code_no = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
    lines = [f"--- cell {index} (code cell {code_no}) source ---"]
    for i, line in enumerate(cell.source.splitlines(), 1):
        lines.append(f"{i:4d} | {line}")
    lines.append("--- its output ---")
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.extend(f"[{o.name}] {l}" for l in o.text.rstrip("\n").splitlines())
        elif o.output_type == "error":
            out.append(f"[error] {o.ename}: {o.evalue}")
            out.extend(ANSI.sub("", t) for t in o.traceback)
        elif o.output_type in ("display_data", "execute_result"):
            text = o.get("data", {}).get("text/plain", "")
            out.extend(f"[display] {l}" for l in str(text).splitlines()[:5])
    if len(out) > MAX_OUTPUT_LINES:
        out = out[:10] + [f"... ({len(out) - MAX_OUTPUT_LINES} lines cut) ..."] + out[-(MAX_OUTPUT_LINES - 10):]
    lines.extend(out or ["(no output)"])
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebook")
    ap.add_argument("--output", required=True, help="where to write the executed notebook (may be the input itself)")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per cell (default 3600)")
    ap.add_argument("--profile", default=os.environ.get("SEQPE_PROFILE", "quick"))
    args = ap.parse_args()

    nb_path = os.path.abspath(args.notebook)
    nb = nbformat.read(nb_path, as_version=4)
    state = {"current": None, "failed": None, "t": 0.0}
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]

    def first_line(cell):
        for line in cell.source.splitlines():
            if line.strip() and not line.strip().startswith("//"):
                return line.strip()[:70]
        return ""

    def on_start(cell, cell_index, **_):
        state["current"] = cell_index
        if cell.cell_type != "code":
            return
        state["t"] = time.time()
        k = code_cells.index(cell_index) + 1 if cell_index in code_cells else 0
        print(f"    cell {k}/{len(code_cells)} … {first_line(cell)}", end="", flush=True)

    def on_executed(cell, cell_index, **_):
        if cell.cell_type == "code":
            print(f"  ({time.time() - state['t']:.1f} s)", flush=True)

    def on_error(cell, cell_index, **_):
        state["failed"] = cell_index
        print("  (failed)", flush=True)

    client = NotebookClient(
        nb,
        timeout=args.timeout,
        startup_timeout=120,
        kernel_name="tslab",
        # the kernel starts in the notebook's folder: tslab's imports ('./src/...') are relative to it
        resources={"metadata": {"path": os.path.dirname(nb_path)}},
        record_timing=False,  # no timestamps in the saved notebook: re-runs do not churn git diffs
        on_cell_start=on_start,
        on_cell_executed=on_executed,
        on_cell_error=on_error,
    )
    t0 = time.time()
    problem = None
    try:
        client.execute()
    except CellExecutionError:
        problem = "a cell failed"
    except CellTimeoutError:
        problem = f"a cell ran longer than --timeout {args.timeout} s"
    except DeadKernelError as e:
        problem = f"the kernel died ({e})"
    except KeyboardInterrupt:
        problem = "interrupted"

    name = os.path.relpath(nb_path)
    if problem:
        index = state["failed"] if state["failed"] is not None else state["current"]
        print(flush=True)
        print(f"\nFAILED {name}: {problem} after {time.time() - t0:.1f} s", file=sys.stderr)
        if index is not None:
            print(cell_report(nb, index), file=sys.stderr)
        out_path = os.path.abspath(args.output)
        stem = out_path[: -len(".ipynb")] if out_path.endswith(".ipynb") else out_path
        partial = stem + ".failed.out.ipynb"  # *.out.ipynb is git-ignored
        os.makedirs(os.path.dirname(partial), exist_ok=True)
        nbformat.write(nb, partial)
        print(f"--- partly executed notebook saved to {os.path.relpath(partial)}", file=sys.stderr)
        return 1

    nb.metadata["seqpe"] = {"profile": args.profile}
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    nbformat.write(nb, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())

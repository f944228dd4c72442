"""The command line: a thin typer app over consistency.check."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Collection, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from consistency import embed, ingest, judge, text
from consistency.errors import ConsistencyError, InputError
from consistency.pipeline import MAX_SENTENCES
from consistency.pipeline import check as run_check
from consistency.render import plural
from consistency.report import (
    CONFLICT,
    SINGLE_SOURCE,
    refuse_file_out,
    refuse_inputs,
    version,
    write_csv,
)
from consistency.workers import PARALLEL_MIN

__all__ = ["app"]

app = typer.Typer(
    help="Claim-consistency checker for news articles about one story.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_FINDINGS = 3  # --fail-on found what it was asked to fail on
# Defaults that are not values are given as text, which typer shows as "[default: (...)]":
# square brackets in a help text would be taken by Rich for markup and dropped.
MODELS_DEFAULT = f"${embed.MODELS_ENV}, else the project's models/"


class FailOn(StrEnum):
    """Findings that make `check` exit with code 3, for use in pipelines."""

    conflict = "conflict"
    single_source = "single-source"


def show_version(wanted: bool) -> None:
    """Print the installed version and stop (--version)."""
    if wanted:
        typer.echo(f"consistency {version()}")
        raise typer.Exit()


@app.callback()
def main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=show_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Check which claims several articles agree on and which rest on one source."""


@app.command()
def check(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Article files (.txt, .md, .html), tables of articles (.csv, .tsv, .jsonl), "
            "folders of them, or - for JSONL on standard input."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the CSV report.")] = Path(
        "out"
    ),
    text_column: Annotated[
        str, typer.Option(help="Column (or JSONL field) holding a table's article text.")
    ] = "text",
    id_column: Annotated[
        str, typer.Option(help="Column holding a table's article ids (else file-line).")
    ] = "id",
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            help="Set bad table rows aside (listed in dropped.csv) instead of stopping.",
            show_default=False,
        ),
    ] = False,
    skip_bad_files: Annotated[
        bool,
        typer.Option(
            help="Set unreadable files aside (listed in dropped.csv with the reason) instead "
            "of stopping.",
            show_default=False,
        ),
    ] = False,
    fail_on: Annotated[
        list[FailOn] | None,
        typer.Option(help="Exit with code 3 when the report has such findings."),
    ] = None,
    max_sentences: Annotated[
        int,
        typer.Option(
            help="Refuse inputs with more kept sentences (part of the time grows with the "
            "square of the input)."
        ),
    ] = MAX_SENTENCES,
    models: Annotated[
        Path | None,
        typer.Option(
            help="Folder with the model manifests and the judge.", show_default=MODELS_DEFAULT
        ),
    ] = None,
    html: Annotated[
        bool,
        typer.Option(
            "--html", help="Also write report.html: one self-contained page to read the report."
        ),
    ] = False,
    write_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Also write report.json: documents, claims with their sentences, sources and "
            "values, and conflicts, in one file (its fields: docs/json.md).",
        ),
    ] = False,
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Folder that keeps sentence embeddings between runs: a run embeds only the "
            "sentences it has not seen before."
        ),
    ] = None,
    one_story: Annotated[
        bool,
        typer.Option(
            "--one-story",
            help="Take all the articles as one story instead of grouping them into stories "
            "(claims are found within each story).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes for the stages after the embedding: 1 runs everything here; "
            "more read the values beside the story grouping and, from "
            f"{PARALLEL_MIN:,} sentences, find the stories' claims in a pool.",
            show_default="one per core",
        ),
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Progress bars on stderr.",
            show_default="when stderr is a terminal",
        ),
    ] = None,
) -> None:
    """Cluster the articles' sentences into claims and write the CSV report to --out."""
    try:
        refuse_file_out(out)  # before the run, not after it
        result = run_check(
            paths,
            models=models,
            text_column=text_column,
            id_column=id_column,
            skip_bad_rows=skip_bad_rows,
            skip_bad_files=skip_bad_files,
            max_sentences=max_sentences,
            progress=progress,
            cache=cache,
            one_story=one_story,
            workers=workers,
            exclude=[out],
        )
        inputs = [p for p in ingest.expand(paths, exclude=[out]) if isinstance(p, Path)]
        written = result.write(out, html=html, data=write_json, protect=inputs, workers=workers)
        # At the exit, the interpreter's last collection would go over every object only
        # to free what exiting frees anyway (0.12 s after a small run): skipped. Not now,
        # as this may run inside a longer process (a test's runner).
        atexit.unregister(gc.freeze)
        atexit.register(gc.freeze)
    except ConsistencyError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    s = result.summary()
    for line in text.summary_lines(s):
        typer.echo(line)
    typer.echo(f"wrote {', '.join(str(p) for p in written)}")
    if why := findings_exit({f.value for f in fail_on or []}, s):
        typer.echo(f"exit {EXIT_FINDINGS}: {why}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


def findings_exit(wanted: Collection[str], s: Mapping[str, int]) -> str:
    """Which of the findings ``wanted`` (FailOn values) the report has, or "" for none.

    >>> counts = {"conflicts": 2, CONFLICT: 1, SINGLE_SOURCE: 19}
    >>> findings_exit({"conflict"}, counts)
    '2 conflicts, 1 claim in conflict (--fail-on conflict)'
    >>> findings_exit({"conflict", "single-source"}, {**counts, "conflicts": 0, CONFLICT: 0})
    '19 single-source claims (--fail-on single-source)'
    """
    found = []
    if FailOn.conflict in wanted and s["conflicts"]:
        found.append(
            f"{plural(s['conflicts'], 'conflict')}, {plural(s[CONFLICT], 'claim')} in conflict "
            "(--fail-on conflict)"
        )
    if FailOn.single_source in wanted and s[SINGLE_SOURCE]:
        found.append(f"{plural(s[SINGLE_SOURCE], 'single-source claim')} (--fail-on single-source)")
    return "; ".join(found)


@app.command()
def pairs(
    table: Annotated[
        Path,
        typer.Argument(
            help="A .tsv or .csv table with columns sentence1 and sentence2 (others ignored)."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The CSV to write: one row per pair, in order.")
    ] = Path("scores.csv"),
    models: Annotated[
        Path | None,
        typer.Option(
            help="Folder with the model manifests and the judge.", show_default=MODELS_DEFAULT
        ),
    ] = None,
) -> None:
    """Score pairs of sentences: does each pair state the same claim.

    Writes pair, sentence1, sentence2, score (0-1) and same_claim (1 at the judge's cut).
    """
    try:
        frame = judge.read_pairs(table)
        refuse_inputs([out], [table])
        if out.is_dir():
            raise InputError(f"{out}: is a folder; give --out a file name, such as scores.csv.")
        scored = judge.scored_pairs(frame, judge.load(models))
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(scored, out)
    except ConsistencyError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    same = int(scored["same_claim"].sum())
    typer.echo(f"{plural(len(scored), 'pair')} scored: {same} the same claim; wrote {out}")

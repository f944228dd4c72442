"""The command line: a thin typer app over consistency.check."""

from __future__ import annotations

import atexit
import gc
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from consistency import ingest, judge
from consistency.errors import ConsistencyError, InputError
from consistency.pipeline import MAX_SENTENCES
from consistency.pipeline import check as run_check
from consistency.render import plural
from consistency.report import CONFLICT, CORROBORATED, SINGLE_SOURCE, refuse_inputs, write_csv
from consistency.workers import PARALLEL_MIN

app = typer.Typer(
    help="Claim-consistency checker for news articles about one story.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_FINDINGS = 3  # --fail-on found what it was asked to fail on


class FailOn(StrEnum):
    """Findings that make `check` exit with code 3, for use in pipelines."""

    conflict = "conflict"
    single_source = "single-source"


@app.callback()
def main() -> None:
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
        typer.Option(help="Set bad table rows aside (listed in dropped.csv) instead of stopping."),
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
        typer.Option(help="Folder with the model manifests and the judge (default: models/)."),
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
            f"{PARALLEL_MIN:,} sentences, find the stories' claims in a pool [default: one "
            "per core].",
            show_default=False,
        ),
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Progress bars on stderr [default: when stderr is a terminal].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Cluster the articles' sentences into claims and write the CSV report to --out."""
    try:
        result = run_check(
            paths,
            models=models,
            text_column=text_column,
            id_column=id_column,
            skip_bad_rows=skip_bad_rows,
            max_sentences=max_sentences,
            progress=progress,
            cache=cache,
            one_story=one_story,
            workers=workers,
        )
        inputs = [p for p in ingest.expand(paths) if isinstance(p, Path)]
        written = result.to_csv(out, protect=inputs, workers=workers)
        if html:
            written.append(result.to_html(out / "report.html", protect=inputs))
        if write_json:
            written.append(result.to_json(out / "report.json", protect=inputs))
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
    typer.echo(
        f"{s['documents']} documents in {plural(s['stories'], 'story', 'stories')}, "
        f"{s['sentences']} sentences kept, "
        f"{s['dropped']} spans dropped (see dropped.csv)"
    )
    typer.echo(
        f"{s['claims']} claims: {s[CORROBORATED]} corroborated, {s[SINGLE_SOURCE]} single-source"
    )
    typer.echo(
        f"{s['slots']} values read (slots.csv): {plural(s['conflicts'], 'conflict')} in "
        f"{plural(s[CONFLICT], 'claim')}, {plural(s['notes'], 'note')} (conflicts.csv)"
    )
    if s["sources"] < 2:
        typer.echo("note: corroboration needs two or more sources; every claim is single-source.")
    typer.echo(f"wrote {', '.join(str(p) for p in written)}")
    wanted = {f.value for f in fail_on or []}
    found = {
        "conflict": s["conflicts"] > 0,
        "single-source": s[SINGLE_SOURCE] > 0,
    }
    if any(found[f] for f in wanted):
        raise typer.Exit(EXIT_FINDINGS)


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
        typer.Option(help="Folder with the model manifests and the judge (default: models/)."),
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

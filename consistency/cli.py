"""The command line: a thin typer app over consistency.check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from consistency.errors import ConsistencyError
from consistency.pipeline import check as run_check
from consistency.report import CORROBORATED, SINGLE_SOURCE

app = typer.Typer(
    help="Claim-consistency checker for news articles about one story.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """Check which claims several articles agree on and which rest on one source."""


@app.command()
def check(
    paths: Annotated[
        list[Path], typer.Argument(help="Article files (.txt, .md, .html) or folders of them.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the CSV report.")] = Path(
        "out"
    ),
    models: Annotated[
        Path | None,
        typer.Option(help="Folder with the model manifest and link head (default: models/)."),
    ] = None,
) -> None:
    """Cluster the articles' sentences into claims and write the CSV report to --out."""
    try:
        result = run_check(paths, models=models)
        written = result.to_csv(out)
    except ConsistencyError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    s = result.summary()
    typer.echo(
        f"{s['documents']} documents, {s['sentences']} sentences kept, "
        f"{s['dropped']} spans dropped (see dropped.csv)"
    )
    typer.echo(
        f"{s['claims']} claims: {s[CORROBORATED]} corroborated, {s[SINGLE_SOURCE]} single-source"
    )
    if s["documents"] < 2:
        typer.echo("note: corroboration needs two or more sources; every claim is single-source.")
    typer.echo(f"wrote {', '.join(str(p) for p in written)}")

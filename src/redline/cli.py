"""The ``redline`` command: a thin layer over the library API."""

from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from redline import __version__
from redline.settings import Settings
from redline.store import DiffError, Store, diff_versions

if TYPE_CHECKING:
    from redline.store.loader import ProgressCallback
    from redline.store.update import UpdateOutcome

# The source parsers (and with them followthemoney's model, half a second to load) are
# imported by the commands that load lists, not at start: screening never needs them.

app = typer.Typer(
    name="redline",
    help="Sanctions and export-control screening against the official lists.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class State:
    settings: Settings | None = None
    config: Path | None = None


state = State()


@app.callback()
def _main(
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML settings file (else REDLINE_CONFIG).")
    ] = None,
) -> None:
    state.config = config
    try:
        state.settings = Settings.load(config)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def settings() -> Settings:
    if state.settings is None:
        state.settings = Settings.load()
    return state.settings


def open_store() -> Store:
    return Store.open(settings())


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} must be a date as YYYY-MM-DD, got {value!r}", 2) from None


@app.command()
def update(
    sources: Annotated[
        list[str] | None, typer.Argument(help="Sources to update (default: all).")
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from-dir", help="Load local files from this folder instead of downloading."
        ),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(help="Publication date (YYYY-MM-DD) for files that state none."),
    ] = None,
) -> None:
    """Load the official lists as new versions (downloads them unless --from-dir)."""
    from redline.sources import all_sources
    from redline.store.update import update_from_dir, update_from_web

    known = all_sources()
    for name in sources or []:
        if name not in known:
            raise _fail(f"unknown source {name!r}; known sources: {', '.join(sorted(known))}", 2)
    published_on = _parse_date(published, "--published")
    store = open_store()
    with _progress() as progress:
        tasks: dict[str, Any] = {}

        def on_start(name: str, origin: str) -> ProgressCallback:
            task = progress.add_task(f"parsing {name} ({origin})", total=None)

            def advance(n: int) -> None:
                progress.advance(task, n)

            return advance

        def on_download(filename: str, done: int, total: int | None) -> None:
            if filename not in tasks:
                tasks[filename] = progress.add_task(f"downloading {filename}", total=total)
            progress.update(tasks[filename], completed=done, total=total)

        if from_dir is not None:
            if not from_dir.is_dir():
                raise _fail(f"--from-dir {from_dir}: no such folder", 2)
            outcomes = update_from_dir(
                store, from_dir, known, sources, published=published_on, on_start=on_start
            )
        else:
            outcomes = update_from_web(
                store,
                settings(),
                known,
                sources,
                published=published_on,
                on_start=on_start,
                on_download=on_download,
            )
    _print_outcomes(outcomes)
    if not outcomes:
        raise _fail("no source files found", 1)
    if any(not o.ok for o in outcomes):
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _print_outcomes(outcomes: list[UpdateOutcome]) -> None:
    for outcome in outcomes:
        if outcome.error is not None:
            err.print(f"[red]failed[/red] {outcome.source}: {outcome.error}")
            continue
        assert outcome.result is not None
        info = outcome.result.version
        if outcome.result.unchanged:
            console.print(
                f"[dim]unchanged[/dim] {outcome.source}: same files as version {info.seq} "
                f"({outcome.origin})"
            )
        else:
            console.print(
                f"[green]loaded[/green] {outcome.source} version {info.seq}: "
                f"{info.target_count} entries, {info.entity_count} entities, "
                f"published {info.published or '?'} ({info.published_basis}) from {outcome.origin}"
            )


@app.command("sources")
def sources_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Each source with its active version, publication date, counts and age."""
    from redline.sources import all_sources

    store = open_store()
    known = all_sources()
    active = store.active_versions()
    today = datetime.now(UTC).date()
    rows: list[dict[str, Any]] = []
    for name, source in known.items():
        info = active.get(name)
        row: dict[str, Any] = {"source": name, "title": source.title, "publisher": source.publisher}
        if info is None:
            row.update(version=None)
        else:
            row.update(info.to_dict())
            row["age_days"] = (
                (today - date.fromisoformat(info.published)).days if info.published else None
            )
            row["versions"] = len(store.versions(name))
        rows.append(row)
    if as_json:
        _print_json(rows)
        return
    table = Table(title="redline sources")
    for column in ("source", "version", "published", "age", "entries", "entities by schema"):
        table.add_column(column)
    for row in rows:
        if row["version"] is None:
            table.add_row(row["source"], "[dim]not loaded[/dim]", "", "", "", "")
            continue
        counts = ", ".join(f"{k} {v}" for k, v in row["counts"].items())
        basis = "" if row["published_basis"] == "file" else f" ({row['published_basis']})"
        table.add_row(
            row["source"],
            f"{row['version']} of {row['versions']}",
            f"{row['published'] or '?'}{basis}",
            f"{row['age_days']} d" if row["age_days"] is not None else "?",
            str(row["target_count"]),
            counts,
        )
    console.print(table)


@app.command()
def diff(
    source: Annotated[str, typer.Argument(help="Source name, e.g. us_ofac_sdn.")],
    from_version: Annotated[int | None, typer.Option("--from", help="Older version.")] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    limit: Annotated[int, typer.Option(help="Entries shown per section (text).")] = 20,
) -> None:
    """Entries added, removed and changed between two versions of a source."""
    store = open_store()
    try:
        result = diff_versions(store, source, from_version, to_version)
    except DiffError as exc:
        raise _fail(str(exc), 2) from exc
    if as_json:
        _print_json(result.to_dict())
        return
    old = f"version {result.old.seq}" if result.old else "nothing"
    console.print(
        f"[bold]{source}[/bold]: {old} -> version {result.new.seq}: "
        f"[green]{len(result.added)} added[/green], [red]{len(result.removed)} removed[/red], "
        f"[yellow]{len(result.changed)} changed[/yellow]"
    )
    for label, items in (
        ("added", result.added),
        ("removed", result.removed),
        ("changed", result.changed),
    ):
        targets = [c for c in items if c.is_target]
        if not targets:
            continue
        console.print(f"\n[bold]{label}[/bold] ({len(targets)} listed entries)")
        for change in targets[:limit]:
            line = f"  {change.entity_id}  {change.schema}  {change.caption}"
            if change.changes:
                line += "  [dim](" + ", ".join(p.prop for p in change.changes) + ")[/dim]"
            console.print(line, markup=True, highlight=False)
        if len(targets) > limit:
            console.print(f"  ... and {len(targets) - limit} more (use --json for all)")


@app.command()
def show(
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. us_ofac_sdn-36.")],
    as_json: Annotated[bool, typer.Option("--json", help="FtM JSON.")] = False,
) -> None:
    """The whole entity as stored in the active version of its source."""
    store = open_store()
    item = store.get_entity(entity_id)
    if item is None:
        raise _fail(f"no entity {entity_id!r} in the active lists", 1)
    if as_json:
        _print_json(item.data)
        return
    console.print(f"[bold]{item.caption}[/bold]  [dim]{item.schema} {item.entity_id}[/dim]")
    console.print(f"source: {item.source}  list id: {item.source_id or '-'}")
    table = Table(show_header=False, box=None)
    table.add_column("property", style="cyan")
    table.add_column("values")
    for prop, values in sorted(item.data.get("properties", {}).items()):
        table.add_row(prop, "\n".join(values))
    console.print(table)


@app.command()
def screen(
    names: Annotated[list[str], typer.Argument(help="Name(s) of the party to screen.")],
    schema: Annotated[
        str | None, typer.Option(help="Person, Company, Organization, LegalEntity, Vessel...")
    ] = None,
    birth_date: Annotated[
        list[str] | None, typer.Option("--birth-date", help="YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    country: Annotated[list[str] | None, typer.Option(help="Country code or name.")] = None,
    identifier: Annotated[
        list[str] | None, typer.Option("--id", help="Passport, IMO, registration number...")
    ] = None,
    limit: Annotated[int, typer.Option(help="Most results shown.")] = 10,
    threshold: Annotated[
        float | None, typer.Option(help="Lowest score shown (default: the 'possible' threshold).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Screen one party against every active list, with the reasons for each score."""
    from redline.match import Query
    from redline.match.types import SCREENABLE_SCHEMAS

    if schema is not None and schema not in SCREENABLE_SCHEMAS:
        raise _fail(f"--schema must be one of {', '.join(SCREENABLE_SCHEMAS)}", 2)
    query = Query.of(
        names, schema=schema, birth_date=birth_date, country=country, identifier=identifier
    )
    if not query.names:
        raise _fail("give a non-empty name", 2)
    screener = _screener()
    matches = screener.screen(query, limit=limit, threshold=threshold)
    if as_json:
        _print_json({"query": query.to_dict(), "results": [m.to_dict() for m in matches]})
        return
    if not matches:
        console.print(f"[green]no alert[/green] for {' / '.join(query.names)}")
        return
    colours = {"match": "red", "possible": "yellow", "no_match": "dim"}
    for match in matches:
        colour = colours[match.decision]
        console.print(
            f"[{colour}]{match.decision:>8}[/{colour}] {match.score:.3f}  "
            f"[bold]{match.caption}[/bold]  [dim]{match.schema} {match.entity_id}[/dim]",
            highlight=False,
        )
        console.print(f"          matched name: {match.matched_name}", highlight=False)
        explanation = match.explanation
        name = explanation.get("name") or {}
        pairs = ", ".join(
            f"{p['query']}~{p['listed']} {p['similarity']:.2f} ({p['how']})"
            for p in name.get("pairs", [])
        )
        if pairs:
            console.print(f"          tokens: {pairs}", highlight=False)
        for label in ("unmatched_query", "unmatched_listed"):
            if name.get(label):
                console.print(f"          {label.replace('_', ' ')}: {', '.join(name[label])}")
        for transform in explanation.get("transformations", []):
            console.print(f"          [dim]{transform}[/dim]", highlight=False)
        for feature, detail in explanation.get("features", {}).items():
            if isinstance(detail, dict):
                console.print(
                    f"          {feature}: {detail['contribution']:+.3f} {detail['detail']}",
                    highlight=False,
                )


@app.command("screen-file")
def screen_file(
    input_file: Annotated[
        Path, typer.Argument(help="CSV: id,name,schema,birth_date,country,identifier")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSON lines out.")],
    limit: Annotated[int, typer.Option(help="Most results per row.")] = 10,
    threshold: Annotated[float | None, typer.Option(help="Lowest score kept.")] = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
) -> None:
    """Screen every row of a CSV of parties, in parallel, one JSON line per row."""
    import orjson

    from redline.batch.parallel import screen_many_encoded
    from redline.batch.party_file import PartyFileError, read_parties

    try:
        rows = list(read_parties(input_file))
    except PartyFileError as exc:
        raise _fail(str(exc), 2) from exc
    screener = _screener()  # the index built or loaded once, before the workers fork
    alerts = errors = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    with _progress() as progress, tmp.open("wb") as out:
        task = progress.add_task(f"screening {input_file.name}", total=len(rows))
        # The workers send each query's results as the JSON array this file holds, so
        # this process, which shares the cores with them, only writes lines.
        results = screen_many_encoded(
            settings(),
            (row.query for row in rows),
            limit=limit,
            threshold=threshold,
            workers=workers,
            on_result=lambda: progress.advance(task),
            screener=screener,
        )
        for row, (payload, error) in zip(rows, results, strict=True):
            line = b'{"id":' + orjson.dumps(row.id) + b',"results":' + (payload or b"[]")
            message = row.error or error
            if message:
                line += b',"error":' + orjson.dumps(message)
                errors += 1
            if payload and payload != b"[]":
                alerts += 1
            out.write(line + b"}\n")
    tmp.replace(output)
    console.print(
        f"screened {len(rows)} rows: {alerts} with alerts, {errors} with errors -> {output}"
    )


@app.command()
def batch(
    input_file: Annotated[Path, typer.Argument(help="Orders or shipments: CSV, XLSX or Parquet.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Results: .csv, .jsonl, .xlsx or .html.")
    ],
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", help="YAML mapping of columns to fields.")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="FIELD=COLUMN, e.g. buyer_name='Customer' (repeatable)."),
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet to read.")] = None,
    output_format: Annotated[
        str | None, typer.Option("--format", help="csv, jsonl, xlsx or html (default: by name).")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Also write the HTML report here.")] = None,
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="Extra or overriding rules YAML.")
    ] = None,
    disable_rule: Annotated[
        list[str] | None, typer.Option("--disable-rule", help="Rule id to switch off.")
    ] = None,
    control_list: Annotated[
        list[Path] | None,
        typer.Option("--control-list", help="CSV of HS codes or prefixes to flag (repeatable)."),
    ] = None,
    engine: Annotated[str, typer.Option(help="local (all cores) or spark.")] = "local",
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark master URL (default local[*]).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Local processes (default: all cores).")
    ] = None,
) -> None:
    """Screen a file of orders or shipments: parties, goods (CHPL) and route red flags."""
    from redline.batch.engine import BatchOptions, run_local
    from redline.batch.mapping import Mapping, MappingError
    from redline.batch.reader import InputError, open_shipments
    from redline.batch.report import ReportBuilder
    from redline.batch.writers import OutputError, VerdictWriter, write_errors
    from redline.batch.writers import output_format as format_of
    from redline.goods.hs import ControlListError
    from redline.goods.rules import RuleError

    if engine not in ("local", "spark"):
        raise _fail("--engine must be local or spark", 2)
    try:
        mapping: Mapping | None = Mapping.from_yaml(mapping_file) if mapping_file else None
        if column:
            extra = Mapping.from_options(column)
            mapping = mapping.override(columns=extra.columns) if mapping else extra
        fmt = format_of(output, output_format)
        reader = open_shipments(input_file, mapping, sheet=sheet)
        options = BatchOptions(
            rules_files=tuple(rules or ()),
            disabled_rules=tuple(disable_rule or ()),
            control_lists=tuple(control_list or ()),
        )
        from redline.batch.engine import ShipmentScreener  # validates rules and lists now

        shipment_screener = ShipmentScreener(_screener(), options)
    except (MappingError, InputError, OutputError, RuleError, ControlListError) as exc:
        raise _fail(str(exc), 2) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    store = open_store()
    versions = {
        name: f"version {info.seq}, published {info.published or '?'}"
        for name, info in store.active_versions().items()
    }
    builder = ReportBuilder()
    report_path = report or (output if fmt == "html" else None)
    risks = {"block": 0, "review": 0, "clear": 0}
    tabular = VerdictWriter(output, reader.columns, fmt) if fmt != "html" else None
    with reader, _progress() as progress, tabular or nullcontext() as writer:
        task = progress.add_task(f"screening {input_file.name}", total=None)
        if engine == "spark":
            from redline.batch.spark import run_spark

            verdicts = run_spark(settings(), reader, options, master=spark_master, index_ready=True)
        else:
            verdicts = run_local(shipment_screener, reader, workers=workers)
        for verdict in verdicts:
            risks[verdict.risk] += 1
            if writer is not None:
                writer.write(verdict)
            if report_path is not None:
                builder.add(verdict)
            progress.advance(task)
    for error in reader.errors:
        builder.add_error(error)
    if report_path is not None:
        builder.write(
            report_path, input_file=input_file, list_versions=versions, counts=reader.counts
        )
    errors_path = output.with_name(output.stem + ".errors.csv")
    if reader.errors:
        write_errors(errors_path, reader.errors, reader.columns)
    console.print(
        f"{input_file.name}: {risks['block']} block, {risks['review']} review, "
        f"{risks['clear']} clear -> {output}"
        + (f", report {report_path}" if report_path and report_path != output else "")
    )
    if reader.errors:
        console.print(f"rows that could not be screened: {errors_path}")
    console.print(reader.counts.summary())


def _screener() -> Any:
    from redline.match import Screener

    store = open_store()
    if not store.active_versions():
        raise _fail("no lists loaded: run `redline update` first", 1)
    with err.status("loading the name index (built once per list version)..."):
        return Screener.open(settings())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (each holds its own index).")
    ] = None,
) -> None:
    """Serve the screening API and the review workspace (uvicorn; put TLS in front)."""
    import uvicorn

    from redline.service.migrate import migrate

    current = settings()
    if state.config is not None:
        # The service reads its settings at start-up, in each worker: hand the file on.
        os.environ["REDLINE_CONFIG"] = str(state.config.resolve())
    migrate(current.store_url)  # once, before the workers start
    service = current.service
    bind_host, bind_port = host or service.host, port or service.port
    console.print(f"redline {__version__} serving on http://{bind_host}:{bind_port}")
    uvicorn.run(
        "redline.service.app:service_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers or service.workers,
        log_level="info",
    )


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# -- the service's records: users, API keys, audit trail ------------------------------------
#
# Administration from the command line acts as the operating-system user, with the admin
# role: whoever can run this command can read the database anyway.  Each command migrates
# the database first (idempotent, quick when up to date).

users_app = typer.Typer(
    help="Users of the screening service (web workspace).", no_args_is_help=True
)
keys_app = typer.Typer(help="API keys of the screening service.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")


def _service_db() -> str:
    from redline.service.migrate import migrate

    url = settings().store_url
    migrate(url)
    return url


def _cli_actor() -> Any:
    import getpass

    from redline.service.principal import Principal, Role

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Principal(id=f"cli:{who}", name=who, role=Role.admin, kind="user")


def _accounts() -> Any:
    from redline.service.security import Accounts

    return Accounts(_service_db())


def _role(value: str) -> Any:
    from redline.service.security import parse_role

    try:
        return parse_role(value)
    except ValueError as exc:
        raise _fail(str(exc), 2) from None


def _account_call(action: Any) -> Any:
    from redline.service.security import AccountError

    try:
        return action()
    except AccountError as exc:
        raise _fail(str(exc), 1) from None


@db_app.command("migrate")
def db_migrate() -> None:
    """Bring the database to the current schema (also done by every service command)."""
    from redline.service.migrate import migrate

    console.print(f"database at revision {migrate(settings().store_url)}")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Username (lower case).")],
    role: Annotated[str, typer.Option("--role", help="viewer, analyst, approver or admin.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user; the password is prompted for (or read from stdin), never an argument."""
    parsed = _role(role)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    accounts = _accounts()
    user = _account_call(lambda: accounts.add_user(name, parsed, password, _cli_actor()))
    console.print(f"added user {user.username} ({user.role.name})")


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every user with role and state."""
    rows = [
        {"username": u.username, "role": u.role.name, "disabled": u.disabled,
         "created_at": u.created_at}
        for u in _accounts().list_users()
    ]  # fmt: skip
    if as_json:
        _print_json(rows)
        return
    table = Table(title="redline users")
    for column in ("username", "role", "state", "created"):
        table.add_column(column)
    for row in rows:
        state_text = "disabled" if row["disabled"] else "active"
        table.add_row(row["username"], row["role"], state_text, row["created_at"])
    console.print(table)


@users_app.command("set-role")
def users_set_role(
    name: Annotated[str, typer.Argument(help="Username.")],
    role: Annotated[str, typer.Argument(help="viewer, analyst, approver or admin.")],
) -> None:
    """Change a user's role."""
    parsed = _role(role)
    accounts = _accounts()
    user = _account_call(lambda: accounts.set_role(name, parsed, _cli_actor()))
    console.print(f"user {user.username} is now {user.role.name}")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """Disable a user: they can no longer log in (their records stay)."""
    accounts = _accounts()
    user = _account_call(lambda: accounts.set_disabled(name, True, _cli_actor()))
    console.print(f"user {user.username} disabled")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="What or who uses the key.")],
    role: Annotated[str, typer.Option("--role", help="viewer, analyst, approver or admin.")],
    owner: Annotated[
        str | None, typer.Option("--owner", help="User the key acts for (four-eyes checks).")
    ] = None,
) -> None:
    """Create an API key and print it: this is the only time it is shown."""
    parsed = _role(role)
    accounts = _accounts()
    new = _account_call(lambda: accounts.create_key(name, parsed, _cli_actor(), owner=owner))
    err.print(f"created key {new.info.id} ({new.info.name}, {new.info.role.name}); "
              "store it now, it cannot be shown again:")  # fmt: skip
    sys.stdout.write(new.raw + "\n")


@keys_app.command("list")
def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every key (never the secrets)."""
    rows = [
        {"id": k.id, "name": k.name, "role": k.role.name, "owner": k.owner,
         "created_at": k.created_at, "revoked_at": k.revoked_at}
        for k in _accounts().list_keys()
    ]  # fmt: skip
    if as_json:
        _print_json(rows)
        return
    table = Table(title="redline API keys")
    for column in ("id", "name", "role", "owner", "created", "state"):
        table.add_column(column)
    for row in rows:
        revoked = row["revoked_at"]
        table.add_row(
            row["id"],
            row["name"],
            row["role"],
            row["owner"] or "",
            row["created_at"],
            f"revoked {revoked}" if revoked else "active",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="Key id (rl_<id>_...).")]) -> None:
    """Revoke a key: it is refused from now on."""
    accounts = _accounts()
    info = _account_call(lambda: accounts.revoke_key(key_id, _cli_actor()))
    console.print(f"key {info.id} ({info.name}) revoked")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole chain; exits 1 and names the first broken record if it does not hold."""
    from redline.service.audit import missing_guards, verify

    url = _service_db()
    result = verify(url)
    if not result.ok:
        raise _fail(f"audit chain broken at record {result.broken_seq}: {result.reason}", 1)
    console.print(f"audit chain ok: {result.count} records, head {result.head_hash}")
    missing = missing_guards(url)
    if missing:
        raise _fail("the append-only triggers are missing from audit_log: " + ", ".join(missing), 1)


@audit_app.command("export")
def audit_export(
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD, UTC).")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD, UTC).")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="JSON lines file (default: stdout).")
    ] = None,
) -> None:
    """Audit records of a period as JSON lines, oldest first."""
    from redline.service.audit import export

    since = _parse_date(date_from, "--from")
    until = _parse_date(date_to, "--to")
    records = export(_service_db(), since, until)
    count = 0
    with (
        output.open("w", encoding="utf-8") if output is not None else nullcontext(sys.stdout)
    ) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    if output is not None:
        console.print(f"{count} audit records -> {output}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

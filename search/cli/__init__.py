"""The ``kb`` command line: a thin edge that turns user errors into messages and exit codes.

Exit codes: 0 clean, 1 content errors (warnings too with ``--strict``), 2 usage errors.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__

if TYPE_CHECKING:
    from ..api.settings import Settings
    from ..content.models import PriorityId
    from ..content.repository import Checked
    from ..index import Generation

ROOT_OPTION: Callable[[Callable[..., None]], Callable[..., None]] = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    envvar="KB_ROOT",
    show_default=True,
    help="Content repository root (holds kb/ and guides/). Env: KB_ROOT.",
)


SITE_OPTION = click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="KB_SITE_DIR",
    help="Where the site is built (default: <root>/site). Env: KB_SITE_DIR.",
)
INDEX_OPTION: Callable[[Callable[..., None]], Callable[..., None]] = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="KB_INDEX_DIR",
    help="Index directory (default: <root>/.kb-index). Env: KB_INDEX_DIR.",
)


def _publication_env(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """The publishing policy travels in KB_PREVIEW/KB_AUDIENCE, which the loader and the mkdocs plugin read."""
    if value is not None:
        os.environ[str(param.envvar)] = str(value).lower()


def publication_options(fn: Callable[..., None]) -> Callable[..., None]:
    """``--preview`` and ``--audience``: what a build publishes (README: publishing policy)."""
    fn = click.option(
        "--preview/--no-preview",
        default=None,
        envvar="KB_PREVIEW",
        expose_value=False,
        callback=_publication_env,
        help="Publish drafts too, with a Draft banner. Env: KB_PREVIEW.",
    )(fn)
    return click.option(
        "--audience",
        type=click.Choice(["internal", "public"]),
        default=None,
        envvar="KB_AUDIENCE",
        expose_value=False,
        callback=_publication_env,
        help="public: leave out audience: internal content everywhere (default internal). Env: KB_AUDIENCE.",
    )(fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
@publication_options
def main() -> None:
    """Knowledge base and troubleshooting guides for IT support teams.

    \b
    Typical use:
      kb check --strict     validate every guide, tree and article
      kb start              check, build site + index, serve on localhost
    """


def _require_root(root: Path) -> Path:
    if not (root / "guides").is_dir() and not (root / "kb").is_dir():
        raise click.UsageError(f'"{root}" has no guides/ or kb/ folder; run from the content repository or pass --root')
    return root


@main.command()
@ROOT_OPTION
@publication_options
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, except review-overdue (see --fail-on-overdue).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["human", "github", "gitlab", "json"]),
    default="human",
    show_default=True,
    help="human: path:line:col lines; github: workflow annotations; gitlab: a code-quality report (Code Climate JSON); json: a list of objects.",
)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date for review-overdue (default: today).")
@click.option("--no-cache", is_flag=True, help="Parse and check every file afresh, ignoring and not writing .kb-cache/.")
@click.option(
    "--fail-on-overdue",
    is_flag=True,
    envvar="KB_FAIL_ON_OVERDUE",
    help="Fail (exit 1) when a review is overdue; --strict alone does not, so an unrelated change is not blocked. Env: KB_FAIL_ON_OVERDUE.",
)
def check(root: Path, strict: bool, fmt: str, today: dt.datetime | None, fail_on_overdue: bool, no_cache: bool) -> None:
    """Validate all content and report every problem, sorted by file and line."""
    from ..checks import check_cache, run_checks
    from ..checks.review import REVIEW_OVERDUE
    from ..content.repository import load_repository
    from .progress import ProgressDisplay

    cache = None if no_cache else check_cache(_require_root(root))
    with ProgressDisplay("check") as progress:
        repo = load_repository(_require_root(root), progress=progress, cache=cache)
        problems = run_checks(repo, today.date() if today else None, progress, cache)
    if fmt == "json":
        click.echo(
            json.dumps(
                [{"path": p.path, "line": p.line, "col": p.col, "severity": p.severity.value, "rule": p.rule, "message": p.message} for p in problems], indent=2
            )
        )
    elif fmt == "gitlab":
        from ..checks.codequality import code_quality_report

        click.echo(json.dumps(code_quality_report(problems), indent=2))
    elif fmt == "github":
        for p in problems:
            click.echo(f"::{p.severity.value} file={p.path},line={p.line},col={p.col},title={p.rule}::{p.message}")
    else:
        for p in problems:
            click.echo(p.format())
    errors = sum(p.severity.value == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "human":
        summary = f"{len(repo.guides)} guides, {len(repo.articles)} articles checked: {errors} errors, {warnings} warnings"
        if cache is not None and (loads := cache.counts.get("load")) is not None:
            click.echo(
                f"parsed {loads.misses:,} of {loads.hits + loads.misses:,} KB files (the others are unchanged since the last run; --no-cache parses all)",
                err=True,
            )
        click.echo(summary, err=True)
    overdue = sum(p.rule == REVIEW_OVERDUE for p in problems)
    sys.exit(1 if errors or (strict and warnings > overdue) or (fail_on_overdue and overdue) else 0)


@main.command()
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"), show_default=True, help="Folder to write the JSON Schema files into."
)
def schema(out: Path) -> None:
    """Export JSON Schemas for every content file kind (for editor autocompletion)."""
    from ..content.schemas import write_schemas

    for path in write_schemas(out):
        click.echo(path.as_posix())


def _clean_repository(root: Path, unchanged: str = "") -> Checked:
    """Load and check the content with ``kb check``'s cache (only changed files are parsed and
    checked again); content errors end the command with exit code 1."""
    from ..checks import check_cache, checked
    from ..content.problems import ContentError
    from ..content.repository import load_repository

    cache = check_cache(_require_root(root))
    try:
        return checked(load_repository(root, cache=cache), cache=cache)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(problem.format(), err=True)
        click.echo(f"{len(exc.problems)} content errors; fix them (kb check) before this command can run" + (f"; {unchanged}" if unchanged else ""), err=True)
        sys.exit(1)


def _priority(value: str | None) -> PriorityId | None:
    from ..content.escalation import normalize_priority

    if value is None:
        return None
    priority = normalize_priority(value)
    if priority is None:
        raise click.BadParameter(f'"{value}" is not a priority; use P1..P4 or urgent, high, normal, low', param_hint="--priority")
    return priority


@main.command()
@ROOT_OPTION
@INDEX_OPTION
@click.argument("subject")
@click.argument("description", nargs=-1)
@click.option("--impact", help="Impact level from guides/priorities.yml (e.g. significant).")
@click.option("--urgency", help="Urgency level from guides/priorities.yml (e.g. high).")
@click.option("--limit", type=click.IntRange(1, 20), default=3, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
@click.option("--ask/--no-ask", default=None, help="Ask the impact and urgency questions (default: when on a terminal and neither is given).")
def triage(
    root: Path,
    index_dir: Path | None,
    subject: str,
    description: tuple[str, ...],
    impact: str | None,
    urgency: str | None,
    limit: int,
    fmt: str,
    ask: bool | None,
) -> None:
    """Suggest categories and guides (and a priority) for a ticket's SUBJECT and DESCRIPTION.

    Triage weighs the category keywords and the guides and articles that best match the ticket
    (the search index of --index-dir when it holds this content, else one built for the run) and
    says "no confident match" rather than guess. The priority comes from the impact x urgency
    matrix: give both levels, or answer the two questions asked on a terminal.

    \b
    Example:
      kb triage "Cannot connect to VPN" "from the hotel since this morning" --impact minor --urgency high
    """
    from ..content.triage import MAX_TICKET_CHARS, triage_priority
    from ..index.triage import triage as triage_ticket

    # the API's ticket text: the subject on its own line, as triage weighs it apart
    ticket = f"{subject}\n{' '.join(description)}"
    if not ticket.strip():
        raise click.UsageError("the ticket text is empty; pass the subject and description")
    if len(ticket) > MAX_TICKET_CHARS:
        raise click.UsageError(f"the ticket text has {len(ticket):,} characters; the limit is {MAX_TICKET_CHARS:,}")
    content = _clean_repository(root)
    repo = content.repo
    if (ask if ask is not None else sys.stdin.isatty() and impact is None and urgency is None) and repo.priorities:
        impact = _ask_level("How widely does it affect the business (impact)?", repo.priorities.impact)
        urgency = _ask_level("How quickly does it need to be fixed (urgency)?", repo.priorities.urgency) if impact else None
    try:
        priority = triage_priority(repo, impact, urgency)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    with _generation_for(content, index_dir if index_dir is not None else root / ".kb-index") as gen:
        found = triage_ticket(gen, ticket, limit)
        if fmt == "json":
            from .answering import triage_json

            return triage_json(gen, found, priority)
    if not found.categories:
        click.echo("No category matches; pick one with: kb categories")
    elif not found.confident:
        click.echo(f"No confident match (confidence {found.confidence:.0%}); the closest categories, for a person to judge:")
    for n, c in enumerate(found.categories, 1):
        click.echo(f"{n}. {c.category} ({c.title})  score {c.score:g}  matched: {', '.join(c.matched) or '-'}")
    if found.categories and found.confident:
        click.echo(f"Confidence: {found.confidence:.0%}")
    if found.guides:
        click.echo("Guides to try:")
        for g in found.guides:
            click.echo(f"  {g.id}  {g.title}  [{g.category or '-'}]")
    if found.categories:
        walk_next = f"kb walk {found.guides[0].id}, or " if found.guides else ""
        click.echo(f"Next: {walk_next}kb diagnose {found.categories[0].category}" + (f" --priority {priority}" if priority else ""))
    if priority and repo.priorities:
        level = repo.priorities.levels[priority]
        click.echo(f"Priority: {priority} {level.name} (Zendesk: {level.zendesk}; first response {level.first_response}, resolution {level.resolution})")


@contextmanager
def _generation_for(content: Checked, index_dir: Path) -> Iterator[Generation]:
    """The current generation of ``index_dir`` when it holds this content, else one built in a temporary folder."""
    from ..index import IndexUnavailable, build_generation, open_current, read_current

    if read_current(index_dir) is not None:
        try:
            gen = open_current(index_dir)
        except IndexUnavailable:
            pass
        else:
            if gen.content_version == content.repo.content_version:
                try:
                    yield gen
                finally:
                    gen.close()
                return
            gen.close()
    with tempfile.TemporaryDirectory(prefix="kb-triage-") as tmp:
        build_generation(content, Path(tmp))
        gen = open_current(Path(tmp))
        try:
            yield gen
        finally:
            gen.close()


def _ask_level(question: str, levels: dict[str, str]) -> str | None:
    """One priority-matrix question with numbered answers; Enter skips."""
    names = list(levels)
    click.echo(question)
    for n, name in enumerate(names, 1):
        click.echo(f"  {n}) {name}: {levels[name]}")
    answer = click.prompt(
        "Choose a number (Enter to skip)", default="", show_default=False, type=click.Choice(["", *map(str, range(1, len(names) + 1))]), show_choices=False
    )
    return names[int(answer) - 1] if answer else None


def _opened_at(value: str | None) -> dt.datetime | None:
    """ISO 8601 with an offset: a time without one would be read in whatever zone the machine is in."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f'"{value}" is not an ISO 8601 time; write it like 2026-12-02T09:00+01:00 or 2026-12-02T08:00Z', param_hint="--opened-at"
        ) from None
    if parsed.tzinfo is None:
        raise click.BadParameter(f'"{value}" has no UTC offset; add one, e.g. {value}Z or {value}+01:00', param_hint="--opened-at")
    return parsed


@main.command()
@ROOT_OPTION
@INDEX_OPTION
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True, help="json: the answer of GET /api/categories.")
def categories(root: Path, index_dir: Path | None, fmt: str) -> None:
    """List the category taxonomy with the number of guides and articles in each."""
    from ..content.repository import load_repository

    if fmt == "json":
        from .answering import categories_json

        return categories_json(root, index_dir)
    repo = load_repository(_require_root(root))
    guides = [g.meta.category for g in repo.guides]
    articles = [a.meta.category for a in repo.articles]
    for category in repo.taxonomy.categories if repo.taxonomy else []:
        depth = category.id.count("/")
        click.echo(
            f"{'  ' * depth}{category.id:<{28 - 2 * depth}} {category.title}  ({guides.count(category.id)} guides, {articles.count(category.id)} articles)"
        )


@main.command()
@ROOT_OPTION
@click.argument("guide_id", required=False)
@click.option("--priority", help="Ticket priority for the transcript: P1..P4 or urgent/high/normal/low.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Also write the transcript to this file.")
@click.option("--clipboard", is_flag=True, help="Also copy the transcript to the clipboard (wl-copy, xclip, xsel or pbcopy).")
@click.option("--gather/--no-gather", default=True, show_default=True, help="Ask for the guide's information-to-gather items first.")
@click.option(
    "--resume", "resume_from", metavar="URL|TOKEN", help="Go on with a walk: a resume link copied on the site, or the token printed when a walk was left."
)
@click.option(
    "--record/--no-record",
    default=True,
    show_default=True,
    help="Stamp each answer with the local time and, at the end, confirm the follow-up checks or fill in the hand-off items.",
)
@INDEX_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["human", "json"]),
    default="human",
    show_default=True,
    help="json: no prompts; the answer of POST /api/guides/{id}/walk for the --answer choices.",
)
@click.option(
    "--answer", "answers", multiple=True, metavar="CHOICE", help="With --format json: the choice at each node from the start (repeat), as the API's answers."
)
@click.option(
    "--opened-at",
    callback=lambda ctx, param, value: _opened_at(value),
    help="When the ticket was opened, ISO 8601 with a UTC offset (2026-12-02T09:00+01:00): deadlines as times.",
)
@click.option("--ticket", "ticket_id", help="Ticket id for the messages.")
@click.option("--requester", help="Requester's name for the messages.")
@click.option("--technician", help="Your name for the messages.")
def walk(
    root: Path,
    guide_id: str | None,
    priority: str | None,
    output: Path | None,
    clipboard: bool,
    gather: bool,
    resume_from: str | None,
    record: bool,
    index_dir: Path | None,
    fmt: str,
    answers: tuple[str, ...],
    opened_at: dt.datetime | None,
    ticket_id: str | None,
    requester: str | None,
    technician: str | None,
) -> None:
    """Step through a guide's decision tree in the terminal and print the messages for the user and
    the ticket (the same texts as the site and the walk API), then the transcript for the ticket."""
    from ..content.fuzzy import SimilarNames
    from ..content.problems import suggestion_hint
    from ..workflow.resume import ResumeError, parse_resume, replay_walk
    from ..workflow.walk import WalkError
    from .walking import Quit, Session, copy_to_clipboard, leave, resume

    ticket_priority = _priority(priority)
    if fmt == "json" or answers:
        if fmt != "json" or resume_from is not None or guide_id is None:
            raise click.UsageError("--answer goes with --format json and a GUIDE_ID (not --resume)")
        from .answering import walk_json

        return walk_json(root, index_dir, guide_id, answers, ticket_priority)
    repo = _clean_repository(root).repo
    if resume_from is None and guide_id is None:
        raise click.UsageError("give a GUIDE_ID, or --resume with a resume link or token")
    ticket = {k: v for k, v in (("ticket_id", ticket_id), ("requester", requester), ("technician", technician)) if v}
    session = Session(repo, ticket_priority, gather, record=record, ticket=ticket, opened_at=opened_at)
    try:
        if resume_from is not None:
            replayed = replay_walk(parse_resume(resume_from), repo.guide_by_id)
            if guide_id is not None and guide_id != replayed[-1].state.guide.id:
                raise click.BadParameter(f'the resumed walk continues in "{replayed[-1].state.guide.id}", not "{guide_id}"', param_hint="GUIDE_ID")
            text, messages = resume(session, replayed, lambda prompt: str(click.prompt(prompt, default="r")))
        else:
            assert guide_id is not None
            guide = repo.guide_by_id.get(guide_id)
            if guide is None:
                raise click.BadParameter(f'no guide "{guide_id}"{suggestion_hint(SimilarNames(repo.guide_by_id).similar(guide_id))}', param_hint="GUIDE_ID")
            text, messages = session.walk(guide)
    except (ResumeError, WalkError) as exc:
        raise click.BadParameter(str(exc), param_hint="--resume") from None
    except Quit as quit:
        leave(quit, output)
    except click.Abort:
        click.echo("\nWalk abandoned; nothing recorded.", err=True)
        sys.exit(130)
    click.echo(messages, nl=False)
    click.echo("\n--- Transcript for the ticket (internal note) ---")
    click.echo(text, nl=False)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Transcript written to {output}", err=True)
    if clipboard:
        copy_to_clipboard(text)
        click.echo("Transcript copied to the clipboard", err=True)


@main.command()
@ROOT_OPTION
@INDEX_OPTION
@publication_options
def index(root: Path, index_dir: Path | None) -> None:
    """Check the content, then build and switch to a new search index generation.

    Content with errors is never indexed: the problems are printed and nothing changes.
    """
    import gc

    from ..index import BuildError, build_generation
    from .progress import ProgressDisplay

    content = _clean_repository(root, "the served index is unchanged")
    target = index_dir if index_dir is not None else root / ".kb-index"
    gc.freeze()  # the loaded content lives through the build: the collector's walks over it would free nothing
    try:
        with ProgressDisplay("index") as progress:
            result = build_generation(content, target, progress=progress)
    except BuildError as exc:
        click.echo(f"index build failed, the served index is unchanged: {exc}", err=True)
        sys.exit(1)
    finally:
        gc.unfreeze()  # kb serve builds in its own process when there is no index, then serves
    click.echo(
        f"{result.name}: {result.guides} guides, {result.articles} articles indexed in {result.seconds:.1f} s (content version {result.content_version}) -> {target}"
    )


@main.command()
@ROOT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@INDEX_OPTION
@SITE_OPTION
def serve(root: Path, host: str, port: int, index_dir: Path | None, site_dir: Path | None) -> None:
    """Serve the search API under /api (docs at /api/docs) and the built site at /.

    Builds an index first when there is none. SIGHUP (or POST /api/admin/reload) switches to
    the newest generation that `kb index` built, without dropping requests. Other settings
    come from KB_* variables or the TOML file named by KB_CONFIG.
    """
    import uvicorn

    from ..api import create_app
    from ..index import read_current

    _require_root(root)
    settings = _settings(root=root, index_dir=index_dir, site_dir=site_dir)
    if read_current(settings.index_path) is None:
        click.echo(f"no index in {settings.index_path}; building one", err=True)
        ctx = click.get_current_context()
        ctx.invoke(index, root=root, index_dir=settings.index_path)
    from .apikeys import exposure_warning

    if warning := exposure_warning(settings, host):
        click.secho(warning, fg="red", bold=True, err=True)
    # proxy_headers=False: the service's trusted_proxies setting alone decides whom X-Forwarded-For names
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=False)


class _InvalidSettings(click.ClickException):
    exit_code = 2  # a usage error: one line, no traceback


def _settings(**values: object) -> Settings:
    """The service settings (KB_*, KB_CONFIG) with these values; invalid ones end the command with one line."""
    from ..api.settings import InvalidSettings, load_settings

    try:
        return load_settings(**values)
    except InvalidSettings as exc:
        raise _InvalidSettings(f"invalid settings: {exc}") from None


def _site_and_index_dirs(root: Path, site_dir: Path | None, index_dir: Path | None) -> tuple[Path, Path]:
    settings = _settings(root=root, index_dir=index_dir, site_dir=site_dir)
    return settings.site_path, settings.index_path


def _build(root: Path, site: Path, index_path: Path) -> bool:
    from .building import build_site_and_index  # imports mkdocs and the index: only for the commands that build
    from .progress import ProgressDisplay

    with ProgressDisplay("build") as progress:
        return build_site_and_index(_require_root(root), site, index_path, say=lambda m: click.echo(m, err=True), progress=progress)


@main.command()
@ROOT_OPTION
@SITE_OPTION
@INDEX_OPTION
@publication_options
@click.option(
    "--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True, help="json: the new index as GET /api/health describes it."
)
def build(root: Path, site_dir: Path | None, index_dir: Path | None, fmt: str) -> None:
    """Check the content, then build the static site and a new search index generation.

    A failed step leaves the previous site and index as they were (exit 1).
    """
    site, index_path = _site_and_index_dirs(root, site_dir, index_dir)
    if not _build(root, site, index_path):
        sys.exit(1)
    if fmt == "json":
        from .answering import build_json

        build_json(index_path)


@main.command()
@ROOT_OPTION
@SITE_OPTION
@INDEX_OPTION
@publication_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
def start(root: Path, site_dir: Path | None, index_dir: Path | None, host: str, port: int) -> None:
    """The main job: check, build site + index, then serve the site at / and the API at /api.

    When the content has errors but an earlier build exists, that last good site and index
    are served (and the errors printed); without one, nothing is served (exit 1).
    """
    from ..index import read_current

    site, index_path = _site_and_index_dirs(root, site_dir, index_dir)
    if not _build(root, site, index_path):
        if not (site.is_dir() and read_current(index_path)):
            click.echo("nothing to serve yet: fix the problems above and run kb start again", err=True)
            sys.exit(1)
        click.echo("serving the last good site and index", err=True)
    click.echo(f"serving http://{host}:{port}/ (site) and http://{host}:{port}/api/docs (API); Ctrl+C stops", err=True)
    ctx = click.get_current_context()
    ctx.invoke(serve, root=root, host=host, port=port, index_dir=index_path, site_dir=site)


@main.command("zendesk-app")
@click.option("--api-url", required=True, help="The kb-guides service URL Zendesk calls, e.g. https://kb.example.com; the API key is only sent to its host.")
@click.option("--author-email", required=True, help="Where technicians ask for help with the app (shown by Zendesk).")
@click.option("--author-name", default="IT Service Desk", show_default=True, help="Who maintains the app.")
@click.option("--name", default="kb-guides", show_default=True, help="The app's name in Zendesk.")
@click.option("--app-version", default=__version__, show_default=True, help="The app's version in its manifest.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("kb-guides-zendesk-app.zip"), show_default=True, help="Where to write the zip."
)
def zendesk_app(api_url: str, author_email: str, author_name: str, name: str, app_version: str, out: Path) -> None:
    """Package the Zendesk sidebar app as the zip to upload as a private app.

    The same options give the same bytes. After uploading, set the app's api_key setting to a
    key the service accepts (README: Zendesk sidebar app).
    """
    from ..integrations.zendesk.app import AppOptions, AppOptionsError, write_app_zip

    try:
        options = AppOptions(api_url=api_url, author_email=author_email, author_name=author_name, name=name, version=app_version)
    except AppOptionsError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        write_app_zip(options, out)
    except OSError as exc:
        click.echo(f"{out}: cannot write the app: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(out.as_posix())


from .apikeys import api_key  # noqa: E402  (it uses the options above)
from .importing import import_group  # noqa: E402

main.add_command(api_key)
main.add_command(import_group)

from .reviewing import changes, review  # noqa: E402  (they use the options above)

main.add_command(review)
main.add_command(changes)

from .answering import diagnose, guides, search  # noqa: E402  (they use the options above)
from .authoring import new  # noqa: E402
from .scaffolding import init  # noqa: E402

for _command in (diagnose, search, guides, new, init):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()

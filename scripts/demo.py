"""The main job, run by `make demo`: demo data -> validation -> assessment, one numbered step each.

Later steps (reports, the dashboard) are added as further `step_...` functions called from `main`,
each taking what earlier steps produced and printing where its own results are.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console

from citykpi.assess import summary
from citykpi.assess.output import write_assessment
from citykpi.cli.report_view import print_report
from citykpi.demo.build import DemoData, make_demo_data
from citykpi.demo.cities import SYNTHETIC_LABEL
from citykpi.framework.catalogue import Catalogue
from citykpi.validate.files import check_file

SHOWCASE = "vellmarsk-2024"  # the good city the demo validates and assesses
console = Console()


def step_generate(out: Path, catalogue: Catalogue) -> DemoData:
    console.rule("1. Generate the synthetic demo data")
    console.print(f"[bold red]{SYNTHETIC_LABEL}[/]")
    data = make_demo_data(out / "data", catalogue)
    console.print(f"{len(data.workbooks)} filled workbooks and {len(data.tidy)} tidy CSV files in {out / 'data'}")
    return data


def step_validate_broken(data: DemoData, catalogue: Catalogue) -> None:
    console.rule("2. Validate the workbook with deliberate errors")
    assert data.broken is not None
    for slip in data.slips:
        console.print(f"  planted: {slip.what} ({slip.row[0]}, {slip.row[2]})")
    print_report(check_file(data.broken, catalogue).report, console, title=data.broken.name)


def step_assess_one(data: DemoData, catalogue: Catalogue, out: Path) -> Path:
    console.rule(f"3. Validate and assess one good city ({SHOWCASE})")
    (path,) = [p for p in data.workbooks if p.stem == SHOWCASE]
    started = time.perf_counter()
    checked = check_file(path, catalogue)
    print_report(checked.report, console, title=path.name)
    if checked.accepted is None:
        raise SystemExit(f"the demo workbook {path} did not validate; this is a bug in the demo data")
    assessment = checked.accepted
    written = write_assessment(assessment, out / "assessment" / SHOWCASE)
    seconds = time.perf_counter() - started
    t = summary(assessment).total
    console.print(
        f"{t.kpis_reported} of {t.kpis} KPIs reported ({t.kpis_partial} partial, {t.kpis_not_applicable} not "
        f"applicable); {t.data_points_reported} of {t.data_points} data points with a value; {seconds:.2f} s"
    )
    return written[0].parent


def step_snapshot(data: DemoData, catalogue: Catalogue, out: Path) -> tuple[Path, Path]:
    """The showcase city's City Snapshot over all its demo years (progress needs two or more)."""
    from citykpi.report.content import build
    from citykpi.report.pages import city_html
    from citykpi.report.render import pdf
    from citykpi.scoring.targetfiles import default_target_set
    from citykpi.scoring.targets import TargetBook
    from citykpi.validate.files import assessed_or_raise

    name = SHOWCASE.rsplit("-", 1)[0]
    console.rule("4. City Snapshot of the showcase city over all its years (wheel, scores, progress)")
    started = time.perf_counter()
    files = sorted(p for p in data.workbooks if p.stem.rsplit("-", 1)[0] == name)
    history = [assessed_or_raise(p, catalogue) for p in files]
    report = build(history, catalogue.kpis, TargetBook([default_target_set()]))
    html, document = out / "reports" / f"{name}-snapshot.html", out / "reports" / f"{name}-snapshot.pdf"
    html.parent.mkdir(parents=True, exist_ok=True)
    page = city_html(report, "snapshot")
    html.write_text(page, encoding="utf-8")
    pdf(page, document)
    city = report.card.city
    console.print(
        f"{len(files)} years {report.years}; {city.scored} data points scored against the public reference "
        f"targets: {city.percent or 0:.0f} % of the maximum points; {time.perf_counter() - started:.1f} s"
    )
    return html, document


def step_dashboard(out: Path) -> None:
    """Last, because it blocks: the platform with its dashboard on an embedded database of the demo cities."""
    from citykpi.cli.serve import serve

    console.rule("5. The dashboard on the embedded database (Ctrl-C to stop)")
    serve(host="127.0.0.1", port=8000, database=f"sqlite:///{(out / 'platform.db').resolve()}", demo=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-output"), help="output folder (default demo-output)")
    parser.add_argument("--no-serve", action="store_true", help="stop after the files; do not start the dashboard")
    args = parser.parse_args()
    out = args.out
    catalogue = Catalogue.load()
    data = step_generate(out, catalogue)
    step_validate_broken(data, catalogue)
    results = step_assess_one(data, catalogue, out)
    snapshot_html, snapshot_pdf = step_snapshot(data, catalogue, out)
    console.rule("Results")
    console.print(f"Demo workbooks and tidy CSV: {out / 'data'}")
    console.print(f"Assessment of {SHOWCASE} (kpis.csv, kpis.json, summary.json): {results}")
    console.print(f"Assess every demo city: citykpi assess {out / 'data' / 'tidy'}/*.csv -o {out / 'all'}")
    console.print(f"[bold]City Snapshot[/]: open {snapshot_html.resolve().as_uri()} (PDF: {snapshot_pdf})")
    if not args.no_serve:
        step_dashboard(out)


if __name__ == "__main__":
    main()

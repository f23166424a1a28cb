"""What the commands print: rich tables for people, CSV and JSON for programs.

Money is shown exactly as summed (`Decimal`, every digit); a table never rounds a cost.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from rich import box
from rich.console import Console
from rich.table import Table

from ..report import DOCUMENTED_FIELDS, Tally, Totals, json_text

__all__ = ["Failure", "costs_csv", "costs_json", "costs_table", "generation_summary", "totals_csv"]

#: (id, reason) of an id with no record.
Failure = tuple[str, str]


def money(value: object) -> str:
    """A cost (never None: the spec requires `total_cost`, and the others are shown when sent)."""
    return f"${cell(value)}"


def cell(value: object) -> str:
    """A CSV cell: empty for a field the body lacks, JSON for a list or object, exact numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | dict):
        return json_text(value)
    return str(value)


def _ms(value: object) -> str:
    return f"{cell(value)} ms"


def costs_table(
    console: Console,
    rows: Sequence[Mapping[str, Any]],
    failed: Sequence[Failure],
    totals: Totals,
    *,
    fields: Sequence[str],
    note: str,
) -> None:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, title="Generations", title_justify="left")
    # The id is what a reader looks for: never cut short, whatever else must give way.
    table.add_column("id", no_wrap=True)
    table.add_column("model")
    table.add_column("provider")
    for name in ("prompt", "completion", "cost"):
        table.add_column(name, justify="right")
    for name in fields:
        table.add_column(name)
    for row in rows:
        table.add_row(
            row["id"],
            row["model"],
            row["provider_name"] or "",
            cell(row["native_tokens_prompt"]),
            cell(row["native_tokens_completion"]),
            money(row["total_cost"]),
            *(cell(row.get(f)) for f in fields),
        )
    console.print(table)
    if failed:
        console.print()
        missing = Table(box=box.SIMPLE_HEAD, show_edge=False, title="Not found", title_justify="left")
        missing.add_column("id")
        missing.add_column("reason")
        for ident, why in failed:
            missing.add_row(ident, why, style="red")
        console.print(missing)
    console.print()
    title = "Totals" + (f" so far: INCOMPLETE, {note}" if totals.incomplete else "")
    summary = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        title=title,
        title_justify="left",
        title_style="bold red" if totals.incomplete else "bold",
    )
    summary.add_column("")
    for name in ("count", "prompt", "completion", "cost"):
        summary.add_column(name, justify="right")
    for label, groups in (("model", totals.by_model), ("provider", totals.by_provider)):
        for name in sorted(groups):
            summary.add_row(f"{label} {name}", *_tally_cells(groups[name]))
        summary.add_section()
    summary.add_row("all", *_tally_cells(totals.all), style="bold")
    console.print(summary)


def _tally_cells(tally: Tally) -> list[str]:
    return [
        str(tally.count),
        str(tally.native_tokens_prompt),
        str(tally.native_tokens_completion),
        money(tally.total_cost),
    ]


def costs_csv(
    out: IO[str], rows: Sequence[Mapping[str, Any]], failed: Sequence[Failure], *, fields: Sequence[str]
) -> None:
    """One row per id, the same columns for each (every documented field, then `fields`, then
    `error`): a failed id has its id and its reason, and empty cells."""
    columns = list(DOCUMENTED_FIELDS) + [f for f in dict.fromkeys(fields) if f not in DOCUMENTED_FIELDS]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*columns, "error"])
    for row in rows:
        writer.writerow([*(cell(row.get(c)) for c in columns), ""])
    for ident, why in failed:
        writer.writerow([ident, *([""] * (len(columns) - 1)), why])


def totals_csv(out: IO[str], totals: Totals) -> None:
    """The totals as CSV: one row per model, per provider, and one for all."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["group", "name", "count", "total_cost", "native_tokens_prompt", "native_tokens_completion", "incomplete"]
    )
    entries = [("model", n, totals.by_model[n]) for n in sorted(totals.by_model)]
    entries += [("provider", n, totals.by_provider[n]) for n in sorted(totals.by_provider)]
    entries.append(("all", "", totals.all))
    for group, name, tally in entries:
        writer.writerow(
            [
                group,
                name,
                tally.count,
                cell(tally.total_cost),
                tally.native_tokens_prompt,
                tally.native_tokens_completion,
                cell(totals.incomplete),
            ]
        )


def costs_json(rows: Sequence[Mapping[str, Any]], failed: Sequence[Failure], totals: Totals, requested: int) -> str:
    return json_text(
        {
            "requested": requested,
            "rows": list(rows),
            "failed": [{"id": ident, "error": why} for ident, why in failed],
            "totals": totals.as_dict(),
        },
        indent=2,
    )


def generation_summary(console: Console, row: Mapping[str, Any], *, fields: Sequence[str]) -> None:
    """One generation, readable: what it cost, its tokens, its timings and who served it."""
    grid = Table(box=None, show_header=False, title=row["id"], title_justify="left", title_style="bold")
    grid.add_column(style="dim")
    grid.add_column()
    served = row["provider_name"] or "(unknown provider)"
    grid.add_row("model", f"{row['model']} via {served}" + (f" ({row['api_type']})" if row["api_type"] else ""))
    grid.add_row("created", cell(row["created_at"]))
    cost = money(row["total_cost"])
    if row["cache_discount"] is not None:
        cost += f" (cache discount {money(row['cache_discount'])})"
    if row["upstream_inference_cost"] is not None:
        cost += f", upstream {money(row['upstream_inference_cost'])}"
    grid.add_row("cost", cost)
    native = f"{cell(row['native_tokens_prompt']) or '?'} prompt"
    if row["native_tokens_cached"]:
        native += f" ({row['native_tokens_cached']} cached)"
    native += f" + {cell(row['native_tokens_completion']) or '?'} completion"
    extra = [
        f"{row[k]} {label}"
        for k, label in (("native_tokens_reasoning", "reasoning"), ("native_tokens_completion_images", "images"))
        if row[k]
    ]
    if extra:
        native += f" ({', '.join(extra)})"
    grid.add_row("tokens", native + " (native, billed)")
    grid.add_row(
        "",
        f"{cell(row['tokens_prompt']) or '?'} prompt + {cell(row['tokens_completion']) or '?'} completion (normalized)",
    )
    timing = [f"{_ms(row['latency'])} to first token"] if row["latency"] is not None else []
    if row["generation_time"] is not None:
        timing.append(f"{_ms(row['generation_time'])} generating")
    grid.add_row("timing", ", ".join(timing) or "(not sent)")
    finish = cell(row["finish_reason"]) or "(none)"
    if row["native_finish_reason"] not in (None, row["finish_reason"]):
        finish += f" (provider: {row['native_finish_reason']})"
    grid.add_row("finish", finish)
    if attempts := row["provider_responses"]:  # a list of objects (each may lack any part but status)
        grid.add_row(
            "attempts", ", ".join(f"{a.get('provider_name') or '?'} {cell(a.get('status')) or '?'}" for a in attempts)
        )
    for name in fields:
        grid.add_row(name, cell(row.get(name)))
    console.print(grid)

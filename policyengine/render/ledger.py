"""Words and charts for the dispute ledger: history (text, memo), the due list, metrics (text,
HTML with inline SVG charts) and the decision log."""

from __future__ import annotations

import datetime as _dt
import html
from typing import Any, Iterable, Mapping, Sequence

_KIND_WORDS = {
    "opened": "opened", "decided": "decided", "facts_amended": "facts amended",
    "remedy_granted": "remedy granted", "remedy_reviewed": "remedy reviewed",
    "resolved": "resolved", "reopened": "reopened", "repinned": "repinned",
}


def _decision_words(decision: Mapping[str, Any]) -> str:
    verb = "escalate to" if decision.get("action") == "escalate" else "handle at"
    level = decision.get("level") or {}
    out = f"{verb} `{level.get('id')}` ({level.get('role')}), decide by {decision.get('decide_by')}"
    if decision.get("respond_by"):
        out += f", respond by {decision['respond_by']}"
    return out


def event_line(event: Any) -> str:
    """One line per event: ``#3 2026-12-07 decided by alice: escalate to ...``."""
    p = event.payload
    head = f"#{event.n} {event.on.isoformat()} {_KIND_WORDS.get(event.kind, event.kind)} by " \
           f"{event.actor}"
    if event.kind in ("opened", "decided", "reopened"):
        extra = _decision_words(p["decision"])
        if event.kind == "opened":
            extra = f"policy {p['policy']['id']} {p['policy']['version']}: " + extra
        if event.kind == "reopened":
            extra = f"{p['reason']}: " + extra
        derived = p.get("derived") or {}
        if derived:
            extra += " (derived: " + ", ".join(f"{k} = {v}" for k, v in sorted(derived.items())) \
                + ")"
    elif event.kind == "facts_amended":
        extra = "changes " + ", ".join(f"`{k}`" for k in sorted(p.get("changes", {})))
    elif event.kind in ("remedy_granted", "remedy_reviewed"):
        extra = f"`{p['remedy']}`"
        if p.get("review_on"):
            extra += f", next review {p['review_on']}"
        if p.get("expires_on"):
            extra += f", lapses {p['expires_on']}"
    elif event.kind == "resolved":
        extra = f"outcome: {p['outcome']}" + (" (memo archived)" if p.get("memo") else "")
    elif event.kind == "repinned":
        extra = f"{p['from']['version']} -> {p['to']['version']}: {p['reason']}"
    else:
        extra = ""
    return f"{head}: {extra}" if extra else head


def history_text(history: Any) -> str:
    d = history.dispute
    lines = [f"Dispute {d.id} ({d.status}): policy {d.policy_id} {d.version}, pinned on "
             f"{d.pinned_on}"]
    if d.category:
        lines.append(f"  Category `{d.category}` ({d.confidentiality}); level `{d.level}` since "
                     f"{d.level_since}.")
    if d.status == "open":
        dl = [f"decide by {d.decide_by}"] if d.decide_by else []
        if d.respond_by and not d.responded:
            dl.insert(0, f"respond by {d.respond_by}")
        if dl:
            lines.append("  " + "; ".join(dl).capitalize() + ".")
    else:
        lines.append(f"  Resolved on {d.resolved_on}: {d.outcome}")
    for r in d.remedies:
        lines.append(f"  Remedy `{r.id}` granted {r.granted_on}"
                     + (f", reviewed {r.last_reviewed}" if r.last_reviewed else "")
                     + (f", next review {r.review_on}" if r.review_on else "")
                     + (f", lapses {r.expires_on}" if r.expires_on else "") + ".")
    lines.append("History:")
    for e in history.events:
        lines.append("  " + event_line(e))
        if e.kind in ("opened", "decided", "reopened"):
            for step in e.payload["decision"].get("trace", ()):
                lines.append(f"      - {step['detail']}"
                             + (f" [{step['source']}]" if step.get("source") else ""))
    if history.redacted:
        lines.append("(restricted categories and sensitive facts are masked; --reveal shows "
                     "them)")
    return "\n".join(lines) + "\n"


def history_memo(policy: Any, dispute: Mapping[str, Any], decision: Any, history: Any, *,
                 reveal: bool = False) -> str:
    """The resolution memo of the last decision, then the dispute's history and resolution."""
    from ..ledger.redact import redact_decision_object, redact_facts
    from .memo import render_memo

    shown = redact_facts(policy, dispute, reveal=reveal, category=decision.category.id)
    memo = render_memo(policy, shown, redact_decision_object(policy, decision, reveal=reveal))
    d = history.dispute
    lines = ["", f"## History of dispute {d.id}", ""]
    for e in history.events:
        lines.append(f"- {event_line(e)}")
    if d.status == "resolved":
        lines += ["", "## Resolution", "", f"Resolved on {d.resolved_on}: {d.outcome}"]
        last = next((e for e in reversed(history.events) if e.kind == "resolved"), None)
        if last is not None and last.payload.get("memo"):
            lines += ["", "### Archived memo", "", str(last.payload["memo"]).rstrip()]
    return memo.rstrip("\n") + "\n" + "\n".join(lines) + "\n"


def due_text(items: Sequence[Any], on: _dt.date, within: int) -> str:
    span = f"on {on}" if within == 0 else f"on {on} or within {within} day(s)"
    if not items:
        return f"nothing due {span}\n"
    words = {"respond_by": "respond by", "decide_by": "decide by", "review": "review remedy",
             "sunset": "remedy lapses"}
    lines = [f"{len(items)} item(s) due {span}:"]
    for i in items:
        what = words.get(i.kind, i.kind) + (f" `{i.remedy}`" if i.remedy else "")
        flag = "OVERDUE" if i.overdue else "due    "
        lines.append(f"  {flag} {i.date}  {i.dispute_id}: {what} (level `{i.level}`, "
                     f"category `{i.category}`)")
    return "\n".join(lines) + "\n"


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.1f}" if not v.is_integer() else str(int(v))
    return str(v)


def _pct(v: Any) -> str:
    return "-" if v is None else f"{v * 100:.0f}%"


_COLUMNS = ("disputes", "open", "resolved", "ttr median", "ttr p90", "breaches", "escalated",
            "recurring", "reopened")


def _row(key: str, g: Mapping[str, Any]) -> list[str]:
    t = g["time_to_resolution_days"]
    return [key, str(g["disputes"]), str(g["open"]), str(g["resolved"]), _num(t["median"]),
            _num(t["p90"]), str(g["deadline_breaches"]), _pct(g["escalation_rate"]),
            _pct(g["recurrence_rate"]), str(g["reopened"])]


def metrics_text(report: Mapping[str, Any]) -> str:
    span = f"opened {report['from'] or 'any time'} to {report['to'] or 'now'}"
    head = [report["by"], *_COLUMNS]
    rows = [_row(g["key"], g) for g in report["groups"]] + [_row("all", report["total"])]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    out = [f"Disputes {span}, by {report['by']} (time to resolution in days):"]
    for r in [head, *rows]:
        out.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                    for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(out) + "\n"


def _bars(title: str, data: Iterable[tuple[str, float | None]], unit: str) -> str:
    """A horizontal bar chart as inline SVG."""
    data = [(k, v) for k, v in data]
    top = max([v for _, v in data if v is not None] or [0]) or 1
    bar_h, gap, label_w, chart_w = 22, 8, 170, 360
    height = len(data) * (bar_h + gap) + 30
    parts = [f'<figure><figcaption>{html.escape(title)}</figcaption>',
             f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + chart_w + 80}"'
             f' height="{height}" aria-label="{html.escape(title)}">']
    for i, (k, v) in enumerate(data):
        y = 10 + i * (bar_h + gap)
        w = 0 if v is None else max(1, round(chart_w * v / top))
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
                     f'{html.escape(k)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" '
                     f'fill="#3b6ea8"><title>{html.escape(k)}: {_num(v)} {unit}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 15}">{_num(v)}</text>')
    parts.append("</svg></figure>")
    return "\n".join(parts)


def metrics_html(report: Mapping[str, Any]) -> str:
    groups = report["groups"]
    by = html.escape(report["by"])
    span = html.escape(f"opened {report['from'] or 'any time'} to {report['to'] or 'now'}")
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [report["by"], *_COLUMNS])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _row(g["key"], g))
                   + "</tr>" for g in groups)
    body += "<tr class=total>" + "".join(f"<td>{html.escape(c)}</td>"
                                          for c in _row("all", report["total"])) + "</tr>"
    charts = [
        _bars(f"Disputes by {report['by']}", [(g["key"], g["disputes"]) for g in groups],
              "disputes"),
        _bars("Median time to resolution (days)",
              [(g["key"], g["time_to_resolution_days"]["median"]) for g in groups], "days"),
        _bars("p90 time to resolution (days)",
              [(g["key"], g["time_to_resolution_days"]["p90"]) for g in groups], "days"),
        _bars("Deadline breaches", [(g["key"], g["deadline_breaches"]) for g in groups],
              "breaches"),
        _bars("Escalation rate (%)",
              [(g["key"], None if g["escalation_rate"] is None else g["escalation_rate"] * 100)
               for g in groups], "%"),
        _bars("Recurrence rate (%)",
              [(g["key"], None if g["recurrence_rate"] is None else g["recurrence_rate"] * 100)
               for g in groups], "%"),
    ]
    note = ("<p>Restricted categories and sensitive facts are masked.</p>"
            if report.get("redacted") else "")
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            f"<title>Dispute metrics by {by}</title><style>"
            "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
            "text-align:right}td:first-child,th:first-child{text-align:left}"
            "tr.total{font-weight:bold}figure{margin:1.5em 0}figcaption{font-weight:bold}"
            "svg text{font-size:12px}</style></head><body>"
            f"<h1>Dispute metrics by {by}</h1><p>Disputes {span}.</p>{note}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            + "".join(charts) + "</body></html>\n")


def log_text(entries: Sequence[Any]) -> str:
    lines = []
    for e in entries:
        if e.decision is not None:
            what = _decision_words(e.decision)
        else:
            what = f"refused: {(e.refusal or {}).get('code')}"
        who = f" by {e.actor}" if e.actor else ""
        on = f" dispute {e.dispute_id}" if e.dispute_id else ""
        lines.append(f"{e.at.isoformat()} [{e.source}]{who}{on} {e.policy_id} "
                     f"{e.policy_version}: {what} ({e.latency_ms:.2f} ms)")
    return "\n".join(lines) + ("\n" if lines else "no decisions logged\n")

"""The partner playbook as one self-contained HTML file (``policyengine render --format html``).

Inline CSS and an inline SVG of the ladder (laid out by ``ladder_graph.layout``): no script, no
font, image or style sheet from the network, so the file reads the same offline, attached to an
email or printed (the print style sheet drops colours and keeps cards whole on a page).
"""

from __future__ import annotations

from html import escape

from ..model.nodes import Policy
from .ladder_graph import SVG_CSS, render_svg
from .playbook import (ADVISORY, CATEGORIES_LEAD, DIGEST_NOTE, FACTS_LEAD, NO_OVERRIDES,
                       NO_REMEDIES, OVERRIDES_LEAD, Playbook, applies_sentence, band_sentence,
                       build_playbook, calendar_sentences, remedy_sentences, timeline_sentence)
from .sentence import html

_CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d8dde6; --accent: #1f5fbf;
  --soft: #f3f6fb; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
header.top { background: #12315f; color: #fff; padding: 28px 0 22px; }
.wrap { max-width: 1040px; margin: 0 auto; padding: 0 28px; }
header.top h1 { margin: 0 0 6px; font-size: 30px; line-height: 1.2; }
header.top p { margin: 4px 0; color: #dbe6f7; }
.chips { margin-top: 12px; display: flex; flex-wrap: wrap; gap: 8px; }
.chip { background: rgba(255,255,255,.14); border-radius: 999px; padding: 3px 12px;
  font-size: 14px; }
nav.toc { border-bottom: 1px solid var(--line); background: var(--soft); }
nav.toc a { display: inline-block; padding: 10px 12px 10px 0; margin-right: 10px;
  color: var(--accent); text-decoration: none; font-size: 15px; }
main { padding-bottom: 48px; }
h2 { font-size: 24px; margin: 40px 0 8px; padding-bottom: 6px;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 19px; margin: 0 0 4px; }
p.lead { color: var(--muted); margin-top: 4px; }
.howto { background: var(--soft); border-left: 4px solid var(--accent); padding: 12px 16px;
  margin: 22px 0 0; border-radius: 4px; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 16px 0;
  box-shadow: 0 1px 2px rgba(16,24,40,.05); break-inside: avoid; page-break-inside: avoid; }
.meta { color: var(--muted); font-size: 14px; margin-bottom: 10px; }
.tag { display: inline-block; border: 1px solid var(--line); border-radius: 4px;
  padding: 0 7px; margin-right: 6px; font-size: 13px; background: #fff; }
.tag.restricted { border-color: #e0b37a; color: var(--warn); background: #fff7ec; }
.num { display: inline-block; min-width: 28px; height: 28px; line-height: 28px;
  text-align: center; border-radius: 50%; background: var(--accent); color: #fff;
  font-weight: 600; margin-right: 8px; font-size: 15px; }
.applies { margin: 8px 0 12px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 6px; font-size: 15px; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px;
  border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.level { font-weight: 600; }
table.bands td:first-child { width: 64%; }
code, .id { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 13px; color: var(--muted); }
.matrix td, .matrix th { text-align: center; }
.matrix td:first-child, .matrix th:first-child { text-align: left; }
.matrix td.no { color: #b0b6c2; }
.ladder-wrap { display: flex; gap: 28px; align-items: flex-start; flex-wrap: wrap; }
.ladder-wrap svg { flex: 0 0 auto; max-width: 100%; height: auto; }
.ladder-wrap .side { flex: 1 1 300px; }
table.timeline td:nth-child(2) { width: 42%; }
.bar { position: relative; height: 26px; background: var(--soft); border-radius: 4px; }
.bar span { position: absolute; top: 0; bottom: 0; background: #9bb8e6; border-radius: 4px;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
ul.facts { margin: 6px 0 0; padding-left: 20px; }
footer { color: var(--muted); font-size: 14px; border-top: 1px solid var(--line);
  padding-top: 12px; margin-top: 40px; }
@media print {
  body { font-size: 11pt; }
  header.top { background: none; color: #000; padding: 0 0 8pt; border-bottom: 2pt solid #000; }
  header.top p, .chip { color: #000; }
  .chip { border: 1px solid #999; }
  nav.toc { display: none; }
  .wrap { max-width: none; padding: 0; }
  .card { box-shadow: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, .ladder-wrap { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  @page { margin: 16mm; }
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(text: str, cls: str = "") -> str:
    return f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>"


def _header(book: Playbook) -> str:
    term = f"In force from {book.effective}" + (f" to {book.expires}" if book.expires
                                                   else ", with no end date")
    chips = [f"Version {_e(book.version)}", _e(term),
             f"{len(book.categories)} categories", f"{len(book.levels)} levels"]
    desc = f"<p>{_e(book.description)}</p>" if book.description else ""
    return (f'<header class="top"><div class="wrap"><p>Partner playbook</p>'
            f"<h1>{_e(book.title)}</h1>{desc}"
            f'<div class="chips">{"".join(f"<span class=chip>{c}</span>" for c in chips)}'
            f"</div></div></header>"
            '<nav class="toc"><div class="wrap"><a href="#ladder">Escalation ladder</a>'
            '<a href="#categories">Categories</a><a href="#overrides">Overrides</a>'
            '<a href="#authority">Who may authorize what</a><a href="#remedies">Remedies</a>'
            '<a href="#facts">Facts</a><a href="#details">Document details</a></div></nav>')


_HOW = ("A dispute belongs to the <b>first category</b> below whose condition holds. Within "
        "the category, the <b>first band</b> that holds says which level of the escalation "
        "ladder handles it. <b>Overrides</b> can then raise the level, never lower it. A level "
        "that does not decide within its window hands the dispute to the next level up. "
        "<b>Remedies</b> are temporary: each is authorized by the lowest level with enough "
        "authority, lapses at its sunset and is reviewed on its schedule.")


def _categories(book: Playbook) -> str:
    out = [f'<section id="categories"><h2>Categories</h2><p class="lead">{CATEGORIES_LEAD}'
           "</p>"]
    for i, c in enumerate(book.categories, 1):
        conf = f'<span class="tag {_e(c.confidentiality)}">{_e(c.confidentiality)}</span>'
        applies = html(applies_sentence(c))
        rows = [[_td(html(band_sentence(band, k > 0))), _td(f"{_e(band.level_title)}", "level")]
                for k, band in enumerate(c.bands)]
        remedies = "; ".join(_e(title) for _, title in c.remedies) or "none"
        desc = f"<p>{_e(c.description)}</p>" if c.description else ""
        out.append(
            f'<div class="card" id="category-{_e(c.id)}"><h3><span class="num">{i}</span>'
            f"{_e(c.title)}</h3>"
            f'<div class="meta"><span class="tag">{_e(c.class_)}</span>{conf}'
            f'<span class="id">{_e(c.id)}</span></div>{desc}'
            f'<div class="applies">{applies}</div>'
            + _table(["Band", "Handled by"], rows, "bands")
            + f"<p><b>Remedies it may require:</b> {remedies}.</p></div>")
    out.append("</section>")
    return "".join(out)


def _overrides(book: Playbook) -> str:
    head = '<section id="overrides"><h2>Overrides</h2>'
    if not book.overrides:
        return head + f"<p>{NO_OVERRIDES}</p></section>"
    rows = [[_td(f"<b>{_e(o.reason)}</b><br><span class=id>{_e(o.id)}</span>"),
             _td(_e(o.condition)), _td(_e(o.level_title), "level")] for o in book.overrides]
    return (head + f'<p class="lead">{OVERRIDES_LEAD}</p>'
            + _table(["Override", "When", "At least"], rows) + "</section>")


def _ladder(book: Playbook, policy: Policy) -> str:
    entry = next((lv.title for lv in book.levels if lv.entry), "")
    side = ("<p><b>How to read the ladder.</b> Each box is a level, numbered from where "
            f"disputes start ({_e(entry)}). A level <i>responds</i> (acknowledges the dispute "
            "and engages both parties) and <i>decides</i> within its windows, counted from the "
            "day the dispute reaches it. When a level does not decide in time, the dispute "
            "follows the arrow to the next level.</p><p>Business days run Monday to Friday; "
            "other windows count every calendar day.</p>")
    t = book.timeline
    timeline = ""
    if t is not None and t.rows and t.total_days:
        bars = []
        for r in t.rows:
            left = 100 * r.start_day / t.total_days
            width = max(1.0, 100 * (r.end_day - r.start_day) / t.total_days)
            bars.append([_td(_e(r.level_title)), _td(
                f'<div class="bar"><span style="left:{left:.1f}%;width:{width:.1f}%"></span>'
                "</div>"), _td(f"{_e(r.window)}: day {r.start_day} to day {r.end_day} "
                             f"({_e(r.end_weekday)})")])
        timeline = (
            "<h3 style='margin-top:26px'>Worst-case timeline</h3><p class='lead'>If no level "
            "decides in time, a dispute climbs the whole ladder. The slowest case starts on "
            f"{_e(t.start_phrase)}.</p>"
            + _table(["Level", "Timeline", "Window and decision due"], bars, "timeline")
            + f"<p>{html(timeline_sentence(t))}</p>")
    advisory = f"<p>{ADVISORY}</p>" if any(lv.advisory for lv in book.levels) else ""
    return (f'<section id="ladder"><h2>Escalation ladder</h2><div class="ladder-wrap">'
            f'{render_svg(policy)}<div class="side">{side}{advisory}</div></div>{timeline}'
            "</section>")


def _authority(book: Playbook) -> str:
    header = ["Action"] + [_e(title) for title, _ in book.matrix_roles]
    rows = [[_td(_e(action))] + [_td(_e(c), "") if c else _td("&mdash;", "no")
                                 for c in cells] for action, cells in book.matrix]
    return ('<section id="authority"><h2>Who may authorize what</h2><p class="lead">A dash '
            "means the role may not authorize that action.</p>"
            + _table(header, rows, "matrix") + "</section>")


def _remedies(book: Playbook) -> str:
    out = ['<section id="remedies"><h2>Remedies</h2>']
    if not book.remedies:
        out.append(f"<p>{NO_REMEDIES}</p>")
    for r in book.remedies:
        items = [html(item) for item in remedy_sentences(r)]
        desc = f"<p>{_e(r.description)}</p>" if r.description else ""
        out.append(f'<div class="card" id="remedy-{_e(r.id)}"><h3>{_e(r.title)}</h3>'
                   f'<div class="meta">action: {_e(r.action_title)} '
                   f'<span class="id">{_e(r.id)}</span></div>{desc}<ul class="facts">'
                   + "".join(f"<li>{i}</li>" for i in items) + "</ul></div>")
    out.append("</section>")
    return "".join(out)


def _facts(book: Playbook) -> str:
    rows = [[_td(f"<code>{_e(f.name)}</code>"), _td(_e(f.meaning)), _td(_e(f.values)),
             _td(_e(f.default) if f.default is not None else ("required" if f.required
                                                              else ""))]
            for f in book.facts]
    return (f'<section id="facts"><h2>Facts a dispute carries</h2><p class="lead">{FACTS_LEAD}'
            "</p>"
            + _table(["Fact", "Meaning", "Values", "If not given"], rows) + "</section>")


def _details(book: Playbook) -> str:
    rows = [("Policy", f"<code>{_e(book.policy_id)}</code>"), ("Title", _e(book.title)),
            ("Version", _e(book.version)), ("In force from", _e(book.effective)),
            ("In force until", _e(book.expires or "no end date")),
            ("Owners", ", ".join(_e(o) for o in book.owners)),
            ("Digest", f"<code>{_e(book.digest)}</code>")]
    if book.source:
        rows.append(("Source", f"<code>{_e(book.source)}</code>"))
    return ('<section id="details"><h2>Document details</h2>'
            + _table(["", ""], [[_td(f"<b>{k}</b>"), _td(v)] for k, v in rows])
            + f"<footer>{DIGEST_NOTE} Generated by policyengine.</footer>"
            "</section>")


def _calendars(book: Playbook) -> str:
    if not book.calendars:
        return ""
    out = ['<section id="calendars"><h2>Business calendars</h2><p class="lead">Business-day '
           "windows skip the weekend, the public holidays and the company closures of the "
           "dispute's calendar; the days below fall within the policy's term.</p>"]
    for c in book.calendars:
        words, closures = calendar_sentences(c)
        out.append(f"<h3>{_e(c.name)}</h3><p>{html(words)}</p>")
        if c.holidays:
            out.append(_table(["Public holiday", "Date"],
                              [[_td(_e(n)), _td(_e(d))] for d, n in c.holidays], "holidays"))
        out.append(f"<p>{html(closures)}</p>")
    out.append("</section>")
    return "".join(out)


def render_playbook_html(policy: Policy) -> str:
    """The playbook of ``policy`` as one self-contained HTML document."""
    book = build_playbook(policy)
    body = (_header(book) + '<main class="wrap">'
            + f'<div class="howto">{_HOW}</div>' + _ladder(book, policy) + _calendars(book)
            + _categories(book)
            + _overrides(book) + _authority(book) + _remedies(book) + _facts(book)
            + _details(book) + "</main>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(book.title)}: partner playbook</title>\n"
            f"<style>{_CSS}{SVG_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")

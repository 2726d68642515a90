"""The partner playbook as Markdown (``policyengine render POLICY --format md``).

The ladder is a Mermaid diagram (GitHub, GitLab and the documentation site draw it); everything
else is headings, sentences and tables a partner manager reads without help.
"""

from __future__ import annotations

from ..model.nodes import Policy
from .ladder_graph import render_mermaid
from .markdown import code, escape, table
from .playbook import (ADVISORY, CATEGORIES_LEAD, DIGEST_NOTE, FACTS_LEAD, NO_OVERRIDES,
                       NO_REMEDIES, OVERRIDES_LEAD, Playbook, applies_sentence, band_sentence,
                       build_playbook, calendar_sentences, remedy_sentences, timeline_sentence)
from .sentence import markdown

_HOW_TO_READ = (
    "A dispute belongs to the **first category** below whose condition holds. Within the "
    "category, the **first band** that holds says which level of the escalation ladder handles "
    "it. **Overrides** can then raise the level (never lower it). A level that does not decide "
    "within its window hands the dispute to the next level up. **Remedies** are temporary "
    "measures: each is authorized by the lowest level with enough authority, lapses at its "
    "sunset, and is reviewed on its schedule."
)


def _header(book: Playbook) -> list[str]:
    term = f"in force from {book.effective}" + (f" to {book.expires}" if book.expires
                                                   else ", with no end date")
    out = [f"# {escape(book.title)}", "",
           f"Partner playbook for policy {code(book.policy_id)}, version {escape(book.version)}, "
           f"{term}.", ""]
    if book.description:
        out += [escape(book.description), ""]
    out += ["## How to read this playbook", "", _HOW_TO_READ, "",
            "Contents: [escalation ladder](#escalation-ladder) · [categories](#categories) · "
            "[overrides](#overrides) · [who may authorize what]"
            "(#who-may-authorize-what) · [remedies](#remedies) · [facts](#facts-a-dispute-"
            "carries) · [document details](#document-details)", ""]
    return out


def _categories(book: Playbook) -> list[str]:
    out = ["## Categories", "", CATEGORIES_LEAD, ""]
    for i, c in enumerate(book.categories, 1):
        out += [f"### {i}. {escape(c.title)}", ""]
        out.append(f"{code(c.id)} · class: {escape(c.class_)} · confidentiality: "
                   f"{escape(c.confidentiality)}")
        out.append("")
        if c.description:
            out += [escape(c.description), ""]
        out += [markdown(applies_sentence(c)), ""]
        rows = [[markdown(band_sentence(band, k > 0)),
                 f"{escape(band.level_title)} ({code(band.level_id)})"]
                for k, band in enumerate(c.bands)]
        out += table(["Band", "Handled by"], rows) + [""]
        if c.remedies:
            out.append("**Remedies it may require:** " + "; ".join(
                f"{escape(title)} ({code(rid)})" for rid, title in c.remedies) + ".")
        else:
            out.append("**Remedies:** none.")
        out.append("")
    return out


def _overrides(book: Playbook) -> list[str]:
    out = ["## Overrides", ""]
    if not book.overrides:
        return out + [NO_OVERRIDES, ""]
    out += [OVERRIDES_LEAD, ""]
    rows = [[f"{escape(o.reason)} ({code(o.id)})", escape(o.condition),
             f"{escape(o.level_title)} ({code(o.level_id)})"] for o in book.overrides]
    return out + table(["Override", "When", "At least"], rows) + [""]


def _ladder(book: Playbook, policy: Policy) -> list[str]:
    out = ["## Escalation ladder", "", "```mermaid", render_mermaid(policy).rstrip("\n"),
           "```", ""]
    rows = []
    for lv in book.levels:
        name = f"{escape(lv.title)} ({code(lv.id)})" + (", advisory" if lv.advisory else "")
        rows.append([str(lv.number), name, code(lv.role),
                     escape(lv.respond) if lv.respond else "no set time",
                     escape(lv.decide), escape(lv.next_title) if lv.next_title else "end"])
    out += table(["#", "Level", "Role", "Responds within", "Decides within", "Next"], rows)
    out.append("")
    if any(lv.advisory for lv in book.levels):
        out += [ADVISORY, ""]
    t = book.timeline
    if t is not None and t.rows:
        out += ["### Worst-case timeline", "",
                f"If no level decides in time, a dispute climbs the whole ladder. The slowest "
                f"case starts on {t.start_phrase}:", ""]
        rows = [[escape(r.level_title), escape(r.window), f"day {r.start_day}",
                 f"day {r.end_day} ({r.end_weekday})"] for r in t.rows]
        out += table(["Level", "Window", "From", "Decision due by"], rows) + [""]
        out += [markdown(timeline_sentence(t)), ""]
    return out


def _authority(book: Playbook) -> list[str]:
    out = ["## Who may authorize what", "",
           "A blank cell means the role may not authorize that action.", ""]
    header = ["Action"] + [escape(title) for title, _ in book.matrix_roles]
    rows = [[escape(action)] + [escape(c) for c in cells] for action, cells in book.matrix]
    return out + table(header, rows) + [""]


def _remedies(book: Playbook) -> list[str]:
    out = ["## Remedies", ""]
    if not book.remedies:
        return out + [NO_REMEDIES, ""]
    for r in book.remedies:
        out += [f"### {escape(r.title)}", "", f"{code(r.id)} · action: {escape(r.action_title)}",
                ""]
        if r.description:
            out += [escape(r.description), ""]
        out += [f"- {markdown(item)}" for item in remedy_sentences(r)] + [""]
    return out


def _facts(book: Playbook) -> list[str]:
    out = ["## Facts a dispute carries", "", FACTS_LEAD, ""]
    rows = [[code(f.name), escape(f.meaning) if f.meaning else " ", escape(f.values),
             escape(f.default) if f.default is not None else ("required" if f.required
                                                              else " ")]
            for f in book.facts]
    return out + table(["Fact", "Meaning", "Values", "If not given"], rows) + [""]


def _details(book: Playbook) -> list[str]:
    rows = [["Policy", code(book.policy_id)], ["Title", escape(book.title)],
            ["Version", escape(book.version)], ["In force from", book.effective],
            ["In force until", book.expires or "no end date"],
            ["Owners", ", ".join(escape(o) for o in book.owners)],
            ["Digest", code(book.digest)]]
    if book.source:
        rows.append(["Source", code(book.source)])
    return (["## Document details", ""] + table(["", ""], rows) +
            ["", DIGEST_NOTE, ""])


def _calendars(book: Playbook) -> list[str]:
    if not book.calendars:
        return []
    out = ["## Business calendars", "",
           "Business-day windows skip the weekend, the public holidays and the company "
           "closures of the dispute's calendar; the `by` fact picks a region's calendar, any "
           "other value uses the top-level one. The days below fall within the policy's term.",
           ""]
    for c in book.calendars:
        words, closures = calendar_sentences(c)
        out += [f"### {escape(c.name)}", "", markdown(words), ""]
        if c.holidays:
            out += table(["Public holiday", "Date"], [[escape(n), d] for d, n in c.holidays])
            out.append("")
        out += [markdown(closures), ""]
    return out


def render_playbook_md(policy: Policy) -> str:
    """The playbook of ``policy`` as one Markdown document."""
    book = build_playbook(policy)
    lines = (_header(book) + _ladder(book, policy) + _calendars(book) + _categories(book)
             + _overrides(book)
             + _authority(book) + _remedies(book) + _facts(book) + _details(book))
    return "\n".join(lines).rstrip("\n") + "\n"

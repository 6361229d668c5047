//! A [`DiffReport`] written for people at a terminal ([`table`]) and for a
//! pull-request comment ([`markdown`]); `--format json` serialises the report
//! itself.

use std::fmt::Write as _;

use super::diff::{Change, DiffReport, RuleChange, RuleStatus, Samples, thousands};
use super::tally::RuleCounts;
use crate::output::{Outcome, Verdict};

/// A comment GitHub accepts holds 65,536 characters; the report stays under
/// this, with room for the text a workflow adds around it.
pub const MARKDOWN_LIMIT: usize = 60_000;

/// The report for a terminal.
pub fn table(report: &DiffReport) -> String {
    let mut out = format!("akar diff: {}\n", report.headline());
    let sides = [
        ("before", &report.before, report.decisions.before),
        ("after", &report.after, report.decisions.after),
    ];
    for (name, side, summary) in sides {
        let _ = writeln!(
            out,
            "  {name:<6}  {}, on {}: {summary}",
            side.policies, side.at
        );
    }
    out.push('\n');
    out.push_str(&matrix_table(report));
    let shown: Vec<&RuleChange> = report.rules.iter().filter(|r| r.matters()).collect();
    out.push('\n');
    if shown.is_empty() {
        out.push_str("every rule does what it did before\n");
    } else {
        out.push_str(&rules_table(&shown));
    }
    let quiet = report.rules.len() - shown.len();
    if quiet > 0 {
        let _ = writeln!(
            out,
            "  ({quiet} more {} unchanged, with the same counts)",
            rules_word(quiet)
        );
    }
    for note in idle_notes(report, str::to_string) {
        let _ = writeln!(out, "  {note}");
    }
    for samples in &report.samples {
        out.push('\n');
        out.push_str(&samples_text(samples));
    }
    out
}

fn rules_word(n: usize) -> &'static str {
    if n == 1 { "rule is" } else { "rules are" }
}

fn matrix_table(report: &DiffReport) -> String {
    let mut out = String::from("before \\ after");
    for to in Verdict::ALL {
        let _ = write!(out, "  {to:>7}");
    }
    out.push('\n');
    for from in Verdict::ALL {
        let _ = write!(out, "{from:<14}");
        for to in Verdict::ALL {
            let n = cell(report, from, to);
            let text = if n == 0 {
                ".".to_string()
            } else {
                thousands(n)
            };
            let _ = write!(out, "  {text:>7}");
        }
        out.push('\n');
    }
    out
}

fn cell(report: &DiffReport, from: Verdict, to: Verdict) -> usize {
    report
        .matrix
        .get(&from)
        .and_then(|row| row.get(&to))
        .copied()
        .unwrap_or(0)
}

const COLUMNS: [&str; 4] = ["fired", "alone", "suppressed", "errors"];

fn rules_table(rules: &[&RuleChange]) -> String {
    let names: Vec<String> = rules
        .iter()
        .map(|r| match r.status {
            RuleStatus::Unchanged => r.rule.clone(),
            status => format!("{} ({})", r.rule, status.as_str()),
        })
        .collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let cells: Vec<Vec<String>> = rules
        .iter()
        .map(|rule| (0..COLUMNS.len()).map(|c| counts_cell(rule, c)).collect())
        .collect();
    let widths: Vec<usize> = COLUMNS
        .iter()
        .enumerate()
        .map(|(c, header)| {
            let widest = cells
                .iter()
                .filter_map(|row| row.get(c))
                .map(|t| t.chars().count());
            widest.fold(header.len(), usize::max)
        })
        .collect();
    let mut out = format!("{:<width$}", "rule");
    for (column, w) in COLUMNS.iter().zip(&widths) {
        let _ = write!(out, "  {column:>w$}");
    }
    out.push('\n');
    for (row, name) in cells.iter().zip(&names) {
        let _ = write!(out, "{name:<width$}");
        for (cell, w) in row.iter().zip(&widths) {
            let _ = write!(out, "  {cell:>w$}");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}

/// `12`, or `12 → 15` when the count changed; `-` for a side without the rule.
fn counts_cell(rule: &RuleChange, column: usize) -> String {
    let pick = |counts: &Option<RuleCounts>| {
        counts.map(|c| match column {
            0 => c.fired,
            1 => c.alone,
            2 => c.suppressed,
            _ => c.errors,
        })
    };
    let show = |n: Option<usize>| n.map_or_else(|| "-".to_string(), thousands);
    match (pick(&rule.before), pick(&rule.after)) {
        (Some(b), Some(a)) if b == a => thousands(a),
        (b, a) => format!("{} → {}", show(b), show(a)),
    }
}

fn samples_text(samples: &Samples) -> String {
    let mut out = format!(
        "{}: {} {}{}\n",
        transition_name(samples),
        thousands(samples.listings),
        if samples.listings == 1 {
            "listing"
        } else {
            "listings"
        },
        shown_of(samples)
    );
    for change in &samples.shown {
        let _ = writeln!(
            out,
            "  line {}  {}  {}",
            change.line,
            id_text(change),
            title_text(change, 70)
        );
        let _ = writeln!(out, "    before  {}", grounds(&change.before));
        let _ = writeln!(out, "    after   {}", grounds(&change.after));
    }
    out
}

fn transition_name(samples: &Samples) -> String {
    if samples.from == samples.to {
        format!("{} (same decision, other rules or reasons)", samples.from)
    } else {
        format!("{} → {}", samples.from, samples.to)
    }
}

fn shown_of(samples: &Samples) -> String {
    if samples.shown.len() < samples.listings {
        format!(", {} shown", samples.shown.len())
    } else {
        String::new()
    }
}

fn id_text(change: &Change) -> String {
    match &change.id {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "-".into(),
    }
}

/// The title, cut to `most` characters.
fn title_text(change: &Change, most: usize) -> String {
    let title = change.title.as_deref().unwrap_or("");
    let title: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.chars().count() > most {
        let cut: String = title.chars().take(most - 1).collect();
        format!("{cut}…")
    } else {
        title
    }
}

/// `block by a: its reason`, or `block by a, b — a: the deciding rule's reason`,
/// then `(suppressed: c by d)`
fn grounds(outcome: &Outcome) -> String {
    if let Some(error) = &outcome.error {
        return format!("error: {error}");
    }
    let mut text = outcome.decision.to_string();
    let rules = outcome.rules.as_deref().unwrap_or_default();
    if rules.is_empty() {
        text.push_str(" (no rule)");
    } else {
        let _ = write!(text, " by {}", rules.join(", "));
        if let Some((rule, reason)) = outcome.deciding.and_then(|i| {
            let reason = outcome.reasons.as_ref()?.get(i)?;
            Some((rules.get(i)?, reason))
        }) {
            // With several rules, the reason is named as the deciding rule's.
            match rules.len() {
                1 => write!(text, ": {reason}"),
                _ => write!(text, " — {rule}: {reason}"),
            }
            .unwrap_or_default();
        }
    }
    if let Some(suppressed) = &outcome.suppressed {
        let names: Vec<String> = suppressed.iter().map(ToString::to_string).collect();
        let _ = write!(text, " (suppressed: {})", names.join(", "));
    }
    text
}

/// The report for a pull-request comment: a summary line, the matrix, a
/// diagram of the transitions, the rules that changed, and the samples folded
/// away; cut to stay under [`MARKDOWN_LIMIT`] characters, saying what was cut.
pub fn markdown(report: &DiffReport) -> String {
    let mut samples = report
        .samples
        .iter()
        .map(|s| s.shown.len())
        .max()
        .unwrap_or(0);
    let mut rules = report.rules.iter().filter(|r| r.matters()).count();
    loop {
        let text = markdown_with(report, samples, rules);
        if text.chars().count() <= MARKDOWN_LIMIT || (samples == 0 && rules == 0) {
            return text;
        }
        if samples > 0 {
            samples -= 1;
        } else {
            rules /= 2;
        }
    }
}

fn markdown_with(report: &DiffReport, samples: usize, rules: usize) -> String {
    let mut out = format!("### akar diff: {}\n\n", escape(&report.headline()));
    let _ = writeln!(
        out,
        "Before: {}, on {} — {}.  \nAfter: {}, on {} — {}.\n",
        code(&report.before.policies),
        report.before.at,
        report.decisions.before,
        code(&report.after.policies),
        report.after.at,
        report.decisions.after
    );
    out.push_str(&matrix_markdown(report));
    if !report.transitions.is_empty() {
        out.push('\n');
        out.push_str(&mermaid(report));
    }
    out.push('\n');
    out.push_str(&rules_markdown(report, rules));
    let cut_samples: usize = report
        .samples
        .iter()
        .map(|s| s.shown.len().saturating_sub(samples))
        .sum();
    if !report.samples.is_empty() {
        let shown: usize = report
            .samples
            .iter()
            .map(|s| s.shown.len().min(samples))
            .sum();
        let _ = write!(
            out,
            "\n<details>\n<summary>Sample listings ({shown})</summary>\n\n"
        );
        for group in &report.samples {
            out.push_str(&samples_markdown(group, samples));
        }
        if cut_samples > 0 {
            let _ = writeln!(
                out,
                "{cut_samples} more sample listings were cut to keep this comment under {} characters; `akar diff --format json` has them all.\n",
                thousands(MARKDOWN_LIMIT)
            );
        }
        out.push_str("</details>\n");
    }
    out
}

fn matrix_markdown(report: &DiffReport) -> String {
    let mut out = String::from("| before ↓ · after → |");
    for to in Verdict::ALL {
        let _ = write!(out, " {to} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(Verdict::ALL.len()));
    out.push('\n');
    for from in Verdict::ALL {
        let _ = write!(out, "| **{from}** |");
        for to in Verdict::ALL {
            let n = cell(report, from, to);
            let text = match (n, from == to) {
                (0, _) => "·".to_string(),
                (n, true) => thousands(n),
                (n, false) => format!("**{}**", thousands(n)),
            };
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    out
}

/// The transitions as a left-to-right flowchart, which GitHub draws.
fn mermaid(report: &DiffReport) -> String {
    let mut out = String::from("```mermaid\nflowchart LR\n");
    for t in &report.transitions {
        let _ = writeln!(
            out,
            "  before_{from}[\"{from} before\"] -->|{n}| after_{to}[\"{to} after\"]",
            from = t.from,
            to = t.to,
            n = thousands(t.listings)
        );
    }
    out.push_str("```\n");
    out
}

fn rules_markdown(report: &DiffReport, most: usize) -> String {
    let changed: Vec<&RuleChange> = report.rules.iter().filter(|r| r.matters()).collect();
    if changed.is_empty() {
        return "Every rule fires, decides alone, is suppressed and fails as often as before.\n"
            .into();
    }
    let mut out = String::from(
        "| rule | | fired | decided alone | suppressed | errors |\n|---|---|---:|---:|---:|---:|\n",
    );
    for rule in changed.iter().take(most) {
        let status = match rule.status {
            RuleStatus::Unchanged => "",
            status => status.as_str(),
        };
        let _ = write!(out, "| {} | {status} |", code(&rule.rule));
        for column in 0..COLUMNS.len() {
            let _ = write!(out, " {} |", counts_cell(rule, column));
        }
        out.push('\n');
    }
    let mut notes = Vec::new();
    if changed.len() > most {
        notes.push(format!(
            "{} more changed rules were cut to fit",
            changed.len() - most
        ));
    }
    let quiet = report.rules.len() - changed.len();
    if quiet > 0 {
        notes.push(format!(
            "{quiet} more {} unchanged, with the same counts",
            rules_word(quiet)
        ));
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\n{}.", notes.join("; "));
    }
    for note in idle_notes(report, code) {
        let _ = writeln!(out, "\n{note}.");
    }
    out
}

/// The rules that do nothing to the catalogue after the change: dead code a
/// reviewer should know of, newly dead or not.
fn idle_notes(report: &DiffReport, name: impl Fn(&str) -> String) -> Vec<String> {
    let idle = |which: fn(&RuleChange) -> bool| -> Option<String> {
        let names: Vec<String> = report
            .rules
            .iter()
            .filter(|r| r.idle_after() && which(r))
            .map(|r| name(&r.rule))
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    };
    let mut notes = Vec::new();
    if let Some(names) = idle(|r| r.before.is_some_and(|b| !b.is_idle())) {
        notes.push(format!("No longer fires on this catalogue: {names}"));
    }
    if let Some(names) = idle(|r| r.before.is_none()) {
        notes.push(format!("New, and never fires on this catalogue: {names}"));
    }
    if let Some(names) = idle(|r| r.before.is_some_and(|b| b.is_idle())) {
        notes.push(format!(
            "Never fires on this catalogue, before or after: {names}"
        ));
    }
    notes
}

fn samples_markdown(group: &Samples, most: usize) -> String {
    let mut out = format!(
        "**{}** — {} {}{}\n\n",
        escape(&transition_name(group)),
        thousands(group.listings),
        if group.listings == 1 {
            "listing"
        } else {
            "listings"
        },
        if group.listings > group.shown.len().min(most) {
            format!(", {} shown", group.shown.len().min(most))
        } else {
            String::new()
        }
    );
    if most == 0 {
        return out;
    }
    out.push_str("| line | id | title | before | after |\n|---:|---|---|---|---|\n");
    for change in group.shown.iter().take(most) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            change.line,
            escape(&id_text(change)),
            escape(&title_text(change, 60)),
            escape(&grounds(&change.before)),
            escape(&grounds(&change.after)),
        );
    }
    out.push('\n');
    out
}

/// Text safe in a markdown table cell: no pipe, no HTML, no line break, no
/// emphasis.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '*' | '_' | '`' | '[' | ']' | '\\' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text in backticks, with any backtick in it taken out.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

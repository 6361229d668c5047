//! `akar explain FILE... --listings CAT --id ID`: why a listing gets its
//! decision — every rule, whether it matched, and each condition's value and
//! outcome with the listing's value, evaluated in full. The REPL's `:explain`
//! shares the explanation ([`crate::eval::explain`]).

use std::path::PathBuf;

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::eval::{InputFormatArg, parse_date};
use super::{ErrorArgs, Exit, load_plan};
use crate::diagnostics::render;
use crate::eval::explain::{self, RuleExplanation};
use crate::fuzzy::did_you_mean;
use crate::input::{self, InputFormat, Record};
use crate::output::Outcome;
use crate::plan::Plan;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Policy files, or directories of `.policy` files; together one policy set.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The catalogue to find the listing in; without it, the listings (JSON)
    /// are read from stdin.
    #[arg(long, short = 'l')]
    pub listings: Option<String>,
    /// Read the catalogue as this format, whatever its extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// The listing whose `id` is this.
    #[arg(long, conflicts_with = "line")]
    pub id: Option<String>,
    /// The listing on this line (its record number).
    #[arg(long)]
    pub line: Option<usize>,
    /// Explain only this rule.
    #[arg(long)]
    pub rule: Option<String>,
    /// Evaluation date, `YYYY-MM-DD` (default: today).
    #[arg(long, value_parser = parse_date, default_value_t = chrono::Utc::now().date_naive())]
    pub at: NaiveDate,
    /// `human`, or `json` (one object per listing).
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,
    #[command(flatten)]
    pub errors: ErrorArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

pub fn run(args: &ExplainArgs) -> Exit {
    let style = args.errors.style();
    let (_, plan) = match load_plan(&args.files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let only = match &args.rule {
        Some(name) => match rule_index(&plan, name) {
            Ok(index) => Some(index),
            Err(message) => return usage(&message),
        },
        None => None,
    };
    let records = match find(args) {
        Ok(records) => records,
        Err(exit) => return exit,
    };
    let mut texts = Vec::new();
    for record in &records {
        texts.push(explain_record(&plan, record, args, only));
    }
    match args.format {
        ExplainFormat::Human => print!("{}", texts.join("\n")),
        ExplainFormat::Json => texts.iter().for_each(|t| println!("{t}")),
    }
    Exit::Ok
}

fn usage(message: &str) -> Exit {
    eprintln!("akar: {message}");
    Exit::Usage
}

/// A rule by its label, or what the user may have meant.
fn rule_index(plan: &Plan, name: &str) -> Result<usize, String> {
    let labels = || plan.rules().iter().map(|r| r.label.as_str());
    if let Some(index) = labels().position(|l| l == name) {
        return Ok(index);
    }
    Err(match did_you_mean(name, labels()) {
        Some(near) => format!("no rule is named `{name}`; did you mean `{near}`?"),
        None => format!(
            "no rule is named `{name}`; the rules are: {}",
            labels().collect::<Vec<_>>().join(", ")
        ),
    })
}

/// The records to explain: those of the catalogue with the `--id` or on the
/// `--line` asked for, or every listing on stdin.
fn find(args: &ExplainArgs) -> Result<Vec<Record>, Exit> {
    let format = args.input_format.map(Into::into);
    let (path, format) = match &args.listings {
        Some(path) => (path.as_str(), format),
        None => ("-", format.or(Some(InputFormat::Json))),
    };
    let records = input::open(path, format).map_err(|e| {
        eprint!("{}", render(&miette::Report::new(e), args.errors.style()));
        Exit::Usage
    })?;
    let picked: Vec<Record> = match (&args.id, args.line) {
        (Some(id), _) => records.filter(|r| has_id(r, id)).collect(),
        (None, Some(line)) => records.filter(|r| r.line == line).take(1).collect(),
        (None, None) if args.listings.is_some() => {
            return Err(usage(
                "say which listing to explain: `--id ID` or `--line N` (or give the listing on stdin, without `--listings`)",
            ));
        }
        (None, None) => records.collect(),
    };
    if picked.is_empty() {
        let which = match (&args.id, args.line) {
            (Some(id), _) => format!("no listing has the id `{id}`"),
            (None, Some(line)) => format!("there is no listing on line {line}"),
            (None, None) => "no listing was given on stdin".into(),
        };
        return Err(usage(&format!("{which} in `{path}`")));
    }
    Ok(picked)
}

fn has_id(record: &Record, id: &str) -> bool {
    match record.listing.as_ref().ok().and_then(|l| l.get("id")) {
        Some(Json::String(s)) => s == id,
        Some(Json::Number(n)) => n.to_string() == id,
        _ => false,
    }
}

/// One record explained, as text or a line of JSON.
fn explain_record(plan: &Plan, record: &Record, args: &ExplainArgs, only: Option<usize>) -> String {
    let json = args.format == ExplainFormat::Json;
    let listing = match &record.listing {
        Ok(listing) => listing,
        Err(error) if json => {
            return Outcome::failed(record.line, None, error.clone())
                .to_json_line()
                .trim_end()
                .to_string();
        }
        Err(error) => return format!("line {}: error: {error}\n", record.line),
    };
    let explanation = explain::explain(plan, listing, args.at);
    let show = |r: &RuleExplanation| only.is_none_or(|i| r.index == i);
    let id = listing
        .get("id")
        .filter(|id| id.is_string() || id.is_number());
    if json {
        let outcome = Outcome::new(plan, record.line, id, explanation.decision.as_ref());
        let mut out = serde_json::to_value(&outcome).unwrap_or_default();
        if let (Json::Object(out), Json::Object(more)) = (&mut out, explanation.to_json(show)) {
            out.extend(more);
        }
        return out.to_string();
    }
    let described = match id {
        Some(Json::String(id)) => format!("{id} (line {})", record.line),
        Some(id) => format!("{id} (line {})", record.line),
        None => format!("line {}", record.line),
    };
    explanation.render(&described, show)
}

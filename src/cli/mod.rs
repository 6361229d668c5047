//! The `akar` command line: arguments, and each subcommand mapped to the library.

mod check;
pub mod diff;
pub mod eval;
mod explain;
mod fmt;
mod git;
mod repl;
mod rules;
mod sql;
pub mod test;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check::check_sources;
use crate::diagnostics::{ErrorFormat, Problem, Style, render, render_all};
use crate::plan::Plan;
use crate::source::Sources;

/// How a command ended, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// The policies have errors, or tests failed.
    Failed = 1,
    /// Bad usage or unreadable input.
    Usage = 2,
}

#[derive(Debug, Parser)]
#[command(name = "akar", version, about = "Rules as code for online marketplaces", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check policies; report every problem found.
    Check {
        /// Policy files, or directories of `.policy` files; together one policy set.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Exit 1 when there are warnings too, not only errors (for CI).
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        errors: ErrorArgs,
    },
    /// Decide every listing of a catalogue: one JSON object per listing on stdout.
    Eval(eval::EvalArgs),
    /// What a change to the rules does to a catalogue: the listings whose
    /// decision changes, from what to what, because of which rules.
    Diff(diff::DiffArgs),
    /// Why a listing gets its decision: every rule, whether it matched, and each
    /// condition's value and outcome with the listing's value.
    Explain(explain::ExplainArgs),
    /// Every rule, where it is written and when it is in force; with
    /// `--listings`, how often each fires, decides alone, is suppressed or fails.
    Rules(rules::RulesArgs),
    /// Infer a listing schema from a catalogue; written as a policy file to stdout.
    Schema {
        /// The catalogue: NDJSON, a JSON array, or CSV (by extension); `-` for stdin.
        #[arg(long, short = 'l')]
        listings: String,
        /// Read the catalogue as this format, whatever its extension.
        #[arg(long, value_enum)]
        input_format: Option<eval::InputFormatArg>,
        /// Fields to keep open text however few values the catalogue shows
        /// (e.g. `seller.country`), separated by commas.
        #[arg(long, value_delimiter = ',')]
        open: Vec<String>,
    },
    /// Write a seeded synthetic catalogue (NDJSON), or with `--policy` a policy
    /// of many rules, to stdout, for benchmarks.
    Generate {
        /// How many listings.
        #[arg(long, default_value_t = 1000)]
        count: u64,
        /// The seed; the same seed gives the same catalogue (or policy).
        #[arg(long, default_value_t = 2021)]
        seed: u64,
        /// Write a policy of this shape instead: `gated` (every rule
        /// `block import where category == "…" and price < N USD and stock > M`)
        /// or `mixed` (cluster sets, certificates, keywords, domestic price caps, dates).
        #[arg(long, value_enum)]
        policy: Option<ShapeArg>,
        /// How many rules the policy has.
        #[arg(long, default_value_t = 400, requires = "policy")]
        rules: usize,
    },
    /// Compile the policies into one SQL query for DuckDB or Spark that gives
    /// every row of a listings table the decision `akar eval` gives.
    Sql(sql::SqlArgs),
    /// Run the `test` blocks written in the policies.
    Test(test::TestArgs),
    /// Rewrite policies in their canonical layout, comments kept.
    Fmt {
        /// Policy files, or directories of `.policy` files; `-` formats stdin to stdout.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write nothing: list the files that would change, and exit 1 if any would.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        errors: ErrorArgs,
    },
    /// Try rules interactively: type rules and conditions, load listings, explain.
    Repl {
        /// Policy files, or directories of `.policy` files, to start with.
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ErrorArgs {
    /// How diagnostics are written to stderr.
    #[arg(long, value_enum, default_value_t = ErrorFormatArg::Human)]
    pub error_format: ErrorFormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormatArg {
    /// Rendered reports with the source, labels and help.
    Human,
    /// One JSON object per diagnostic.
    Json,
    /// GitHub workflow commands (`::error file=...,line=...::...`): annotations
    /// on a pull request's lines.
    Github,
    /// One SARIF 2.1.0 log (on stderr, where diagnostics go), for code scanning.
    Sarif,
}

impl ErrorArgs {
    /// Colour only on a terminal, and never when `NO_COLOR` is set.
    pub fn style(self) -> Style {
        let color = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let format = match self.error_format {
            ErrorFormatArg::Human => ErrorFormat::Human,
            ErrorFormatArg::Json => ErrorFormat::Json,
            ErrorFormatArg::Github => ErrorFormat::Github,
            ErrorFormatArg::Sarif => ErrorFormat::Sarif,
        };
        let width = if color { terminal_width() } else { 100 };
        Style {
            format,
            color,
            width,
        }
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Runs a parsed command line, writing to stdout and stderr.
pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check {
            files,
            deny_warnings,
            errors,
        } => check::run(&files, errors.style(), deny_warnings),
        Command::Eval(args) => eval::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Sql(args) => sql::run(&args),
        Command::Fmt {
            files,
            check,
            errors,
        } => fmt::run(&files, check, errors.style()),
        Command::Repl { files } => repl::run(&files),
        Command::Generate {
            policy: Some(shape),
            rules,
            seed,
            ..
        } => {
            print!("{}", crate::synth::policy(shape.into(), rules, seed));
            Exit::Ok
        }
        Command::Generate { count, seed, .. } => generate(count, seed),
        Command::Schema {
            listings,
            input_format,
            open,
        } => schema(&listings, input_format.map(Into::into), &open),
    }
}

fn schema(listings: &str, format: Option<crate::input::InputFormat>, open: &[String]) -> Exit {
    let records = match crate::input::open(listings, format) {
        Ok(records) => records,
        Err(e) => {
            eprint!("{}", render(&miette::Report::new(e), Style::plain()));
            return Exit::Usage;
        }
    };
    let mut inference = crate::infer::Inference::default();
    for field in open {
        inference.keep_open(field);
    }
    for record in records {
        match record.listing {
            Ok(listing) => inference.add(&listing),
            Err(_) => inference.unreadable(),
        }
    }
    let mut command = format!("akar schema --listings {listings}");
    if !open.is_empty() {
        command.push_str(&format!(" --open {}", open.join(",")));
    }
    print!("{}", inference.to_policy(&command));
    Exit::Ok
}

/// The shapes of `akar generate --policy`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ShapeArg {
    Gated,
    Mixed,
}

impl From<ShapeArg> for crate::synth::Shape {
    fn from(shape: ShapeArg) -> Self {
        match shape {
            ShapeArg::Gated => crate::synth::Shape::Gated,
            ShapeArg::Mixed => crate::synth::Shape::Mixed,
        }
    }
}

fn generate(count: u64, seed: u64) -> Exit {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut line = String::new();
    for n in 1..=count {
        line.clear();
        crate::synth::listing(seed, n, &mut line);
        if out.write_all(line.as_bytes()).is_err() {
            return Exit::Ok; // the reader went away
        }
    }
    if out.flush().is_err() {
        Exit::Usage
    } else {
        Exit::Ok
    }
}

/// Loads and checks a policy set; on failure the diagnostics are already written.
fn load_plan(files: &[PathBuf], style: Style) -> Result<(Sources, Plan), Exit> {
    let sources = Sources::load(files).map_err(|e| {
        eprint!("{}", render(&miette::Report::new(e), style));
        Exit::Usage
    })?;
    match check_sources(&sources) {
        Ok(plan) => Ok((sources, plan)),
        Err(problems) => {
            eprint!("{}", render_problems(problems, &sources, style));
            Err(Exit::Failed)
        }
    }
}

fn render_problems(problems: Vec<Problem>, sources: &Sources, style: Style) -> String {
    render_all(problems, sources, style)
}

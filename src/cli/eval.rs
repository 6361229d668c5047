//! `akar eval FILE... --listings PATH`: one output record per input record, in
//! input order; counts by decision on stderr.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::{ErrorArgs, Exit, load_plan};
use crate::eval::decide;
use crate::input::{self, InputFormat, Record};
use crate::output::{Outcome, Summary, table_header, table_row};
use crate::plan::Plan;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Policy files, or directories of `.policy` files; together one policy set.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The catalogue: NDJSON, a JSON array, or CSV (by extension); `-` for stdin.
    #[arg(long, short = 'l')]
    pub listings: String,
    /// Read the catalogue as this format, whatever its extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Evaluation date, `YYYY-MM-DD`: rules are in force when `effective <= date < until`.
    #[arg(long, value_parser = parse_date, default_value_t = chrono::Utc::now().date_naive())]
    pub at: NaiveDate,
    /// `json`: one JSON object per listing (NDJSON); `table`: aligned columns for people.
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    pub format: OutputFormat,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub errors: ErrorArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Json,
    Table,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date; write YYYY-MM-DD, e.g. 2024-01-01"))
}

/// Records are decided in batches, each batch in parallel, then written in order:
/// memory stays bounded by the batch size whatever the catalogue's size.
const BATCH: usize = 8192;

pub fn run(args: &EvalArgs) -> Exit {
    let style = args.errors.style();
    let (_, plan) = match load_plan(&args.files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let records = match input::open(&args.listings, args.input_format) {
        Ok(records) => records,
        Err(e) => {
            eprint!(
                "{}",
                crate::diagnostics::render(&miette::Report::new(e), style)
            );
            return Exit::Usage;
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build();
    let summary = match pool {
        Ok(pool) => pool.install(|| write_all(&plan, records, args)),
        Err(_) => write_all(&plan, records, args),
    };
    match summary {
        Ok(summary) => {
            eprintln!("akar: {summary}");
            Exit::Ok
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            eprintln!("akar: cannot write the decisions: {e}");
            Exit::Usage
        }
    }
}

fn write_all(plan: &Plan, records: input::Records, args: &EvalArgs) -> io::Result<Summary> {
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut summary = Summary::default();
    if args.format == OutputFormat::Table {
        out.write_all(table_header().as_bytes())?;
    }
    let mut records = records.peekable();
    while records.peek().is_some() {
        let batch: Vec<Record> = records.by_ref().take(BATCH).collect();
        let outcomes: Vec<Outcome> = batch
            .par_iter()
            .map(|r| outcome(plan, r, args.at))
            .collect();
        for o in &outcomes {
            summary.add(o);
            let text = match args.format {
                OutputFormat::Json => o.to_json_line(),
                OutputFormat::Table => table_row(o),
            };
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(summary)
}

pub fn outcome(plan: &Plan, record: &Record, at: NaiveDate) -> Outcome {
    match &record.listing {
        Ok(listing) => Outcome::from_result(record, plan, decide(plan, listing, at)),
        Err(e) => Outcome::failed(record, e.clone()),
    }
}

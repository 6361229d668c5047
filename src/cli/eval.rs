//! `akar eval FILE... --listings PATH`: one output record per input record, in
//! input order; counts by decision on stderr.
//!
//! The input is read in chunks; each chunk is parsed and decided on all cores and
//! written in order, so memory stays bounded by the chunk size whatever the
//! catalogue's size.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::{ErrorArgs, Exit, load_plan};
use crate::batch::{Collect, Decisions};
use crate::diagnostics::ErrorFormat;
use crate::eval::{Decider, Decision, EvalError, Listing};
use crate::input::{self, Input, InputFormat};
use crate::json::Node;
use crate::output::{JsonWriter, Outcome, Summary, Verdict, table_header, table_row};
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
    pub input_format: Option<InputFormatArg>,
    /// Evaluation date, `YYYY-MM-DD`: rules are in force when `effective <= date < until`.
    #[arg(long, value_parser = parse_date, default_value_t = chrono::Utc::now().date_naive())]
    pub at: NaiveDate,
    /// `json`: one JSON object per listing (NDJSON); `table`: aligned columns for people.
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    pub format: OutputFormat,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Also report time, throughput and peak memory on stderr.
    #[arg(long)]
    pub stats: bool,
    /// Exit 1 when any listing is decided so (e.g. `--fail-on error` in CI);
    /// several may be given, separated by commas.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub fail_on: Vec<FailOn>,
    #[command(flatten)]
    pub errors: ErrorArgs,
}

/// The catalogue formats, as the command line names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormatArg {
    /// One JSON object per line.
    Ndjson,
    /// A JSON array of objects, or JSON objects one after another in any layout.
    Json,
    /// A header row, then one listing per row; dotted headers build nested fields.
    Csv,
}

impl From<InputFormatArg> for InputFormat {
    fn from(arg: InputFormatArg) -> InputFormat {
        match arg {
            InputFormatArg::Ndjson => InputFormat::Ndjson,
            InputFormatArg::Json => InputFormat::Json,
            InputFormatArg::Csv => InputFormat::Csv,
        }
    }
}

/// The decisions `--fail-on` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// A listing that could not be read or decided.
    Error,
    Block,
    Flag,
}

impl From<FailOn> for Verdict {
    fn from(fail: FailOn) -> Verdict {
        match fail {
            FailOn::Error => Verdict::Error,
            FailOn::Block => Verdict::Block,
            FailOn::Flag => Verdict::Flag,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Json,
    Table,
}

pub(super) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date; write YYYY-MM-DD, e.g. 2024-01-01"))
}

pub fn run(args: &EvalArgs) -> Exit {
    let style = args.errors.style();
    let (_, plan) = match load_plan(&args.files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let input = match input::open_input(&args.listings, args.input_format.map(Into::into)) {
        Ok(input) => input,
        Err(e) => {
            eprint!(
                "{}",
                crate::diagnostics::render(&miette::Report::new(e), style)
            );
            return Exit::Usage;
        }
    };
    let started = std::time::Instant::now();
    let threads = args.threads.unwrap_or(0);
    let result = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(|| evaluate(&plan, input, args)),
        Err(_) => evaluate(&plan, input, args),
    };
    match result {
        Ok(summary) => {
            if style.format == ErrorFormat::Json {
                // Tools reading stderr as JSON lines get the counts as one.
                eprintln!("{}", serde_json::json!({ "summary": summary }));
            } else {
                eprintln!("akar: {summary}");
                if args.stats {
                    eprintln!("akar: {}", stats(summary.total(), started.elapsed()));
                }
            }
            fail_on(&args.fail_on, summary, style.format)
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            eprintln!("akar: cannot read the listings or write the decisions: {e}");
            Exit::Usage
        }
    }
}

/// `Exit::Failed` when a decision `--fail-on` names was given to a listing.
fn fail_on(fail_on: &[FailOn], summary: Summary, format: ErrorFormat) -> Exit {
    let hits: Vec<String> = fail_on
        .iter()
        .map(|f| Verdict::from(*f))
        .filter(|v| summary.get(*v) > 0)
        .map(|v| format!("{} {v}", summary.get(v)))
        .collect();
    if hits.is_empty() {
        return Exit::Ok;
    }
    if format == ErrorFormat::Human {
        eprintln!("akar: failing, as `--fail-on` asks: {}", hits.join(", "));
    }
    Exit::Failed
}

/// `elapsed 1.234 s, 810000 listings/s, peak memory 12.3 MiB`
pub(super) fn stats(listings: usize, elapsed: std::time::Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        listings as f64 / seconds
    } else {
        0.0
    };
    let memory = peak_memory_kib().map_or_else(String::new, |kib| {
        format!(", peak memory {:.1} MiB", kib as f64 / 1024.0)
    });
    format!("elapsed {seconds:.3} s, {rate:.0} listings/s{memory}")
}

/// The process's peak resident memory, where the system tells it (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Each record's output bytes and the counts, per task.
#[derive(Default)]
struct Written {
    bytes: Vec<u8>,
    summary: Summary,
}

/// How each record is turned into output bytes.
struct Emit<'p> {
    plan: &'p Plan,
    format: OutputFormat,
    json: JsonWriter,
    /// Output buffers written out, kept for the next tasks: where many rules
    /// fire, records are kilobytes long, and a new buffer per task would be
    /// grown (copied) and faulted into memory again every time.
    spare: std::sync::Mutex<Vec<Vec<u8>>>,
}

/// Spare buffers kept at most: a few chunks' worth of tasks.
const SPARE: usize = 1024;

impl Emit<'_> {
    fn write<N: Node>(
        &self,
        part: &mut Written,
        line: usize,
        id: Option<&N>,
        result: Result<&Decision, &str>,
    ) {
        part.summary.count(Verdict::of(result));
        match self.format {
            OutputFormat::Json => self.json.write(&mut part.bytes, line, id, result),
            OutputFormat::Table => {
                // Tables are for people, a few rows at a time: the id is copied.
                let id: Option<Json> = id.and_then(|id| serde_json::from_str(&id.to_json()).ok());
                let outcome = Outcome::new(self.plan, line, id.as_ref(), result);
                part.bytes.extend_from_slice(table_row(&outcome).as_bytes());
            }
        }
    }
}

impl Collect for Emit<'_> {
    type Part = Written;

    fn part(&self, records: usize) -> Written {
        let spare = self.spare.lock().ok().and_then(|mut spare| spare.pop());
        Written {
            bytes: spare.unwrap_or_else(|| Vec::with_capacity(records * 128)),
            summary: Summary::default(),
        }
    }

    fn decided<N: Node>(
        &self,
        part: &mut Written,
        line: usize,
        listing: &Listing<N>,
        decision: Result<&Decision, &EvalError>,
    ) {
        let error = decision.err().map(ToString::to_string);
        let result = match &error {
            Some(error) => Err(error.as_str()),
            None => decision.map_err(|_| ""),
        };
        self.write(part, line, listing.id(self.plan), result);
    }

    fn unreadable(&self, part: &mut Written, line: usize, error: &str) {
        self.write(part, line, None::<&Json>, Err(error));
    }
}

fn evaluate(plan: &Plan, input: Input, args: &EvalArgs) -> io::Result<Summary> {
    let emit = Emit {
        plan,
        format: args.format,
        json: JsonWriter::new(plan),
        spare: std::sync::Mutex::new(Vec::new()),
    };
    let job = Decisions::new(Decider::new(plan, args.at), emit);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    if args.format == OutputFormat::Table {
        out.write_all(table_header().as_bytes())?;
    }
    let mut summary = Summary::default();
    let spare = &job.collector().spare;
    job.run(input, &mut |part: Written| {
        summary.merge(part.summary);
        out.write_all(&part.bytes)?;
        let mut bytes = part.bytes;
        bytes.clear();
        if let Ok(mut spare) = spare.lock()
            && spare.len() < SPARE
        {
            spare.push(bytes);
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(summary)
}

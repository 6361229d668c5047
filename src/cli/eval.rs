//! `akar eval FILE... --listings PATH`: one output record per input record, in
//! input order; counts by decision on stderr.
//!
//! The input is read in chunks; each chunk is parsed and decided on all cores and
//! written in order, so memory stays bounded by the chunk size whatever the
//! catalogue's size.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde_json::Value as Json;

use super::{ErrorArgs, Exit, load_plan};
use crate::diagnostics::ErrorFormat;
use crate::eval::node::Node;
use crate::eval::{Decider, Decision, Listing, decide};
use crate::input::projection::Projection;
use crate::input::{self, Input, InputFormat, Record, Records};
use crate::output::{JsonWriter, Outcome, Summary, table_header, table_row};
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
    /// Also report time, throughput and peak memory on stderr.
    #[arg(long)]
    pub stats: bool,
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

/// Bytes of NDJSON read per chunk, and records per chunk for other formats.
const CHUNK_BYTES: usize = 8 << 20;
const CHUNK_RECORDS: usize = 8192;
/// Records per parallel task: large enough to amortise scheduling.
const TASK: usize = 128;

pub fn run(args: &EvalArgs) -> Exit {
    let style = args.errors.style();
    let (_, plan) = match load_plan(&args.files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let input = match input::open_input(&args.listings, args.input_format) {
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
        Ok(summary) if style.format == ErrorFormat::Json => {
            // Tools reading stderr as JSON lines get the counts as one.
            eprintln!("{}", serde_json::json!({ "summary": summary }));
            Exit::Ok
        }
        Ok(summary) => {
            eprintln!("akar: {summary}");
            if args.stats {
                eprintln!("akar: {}", stats(summary.total(), started.elapsed()));
            }
            Exit::Ok
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            eprintln!("akar: cannot read the listings or write the decisions: {e}");
            Exit::Usage
        }
    }
}

/// `elapsed 1.234 s, 810000 listings/s, peak memory 12.3 MiB`
fn stats(listings: usize, elapsed: std::time::Duration) -> String {
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

/// How each record is turned into output bytes.
struct Emit<'p> {
    plan: &'p Plan,
    decider: Decider<'p>,
    format: OutputFormat,
    json: JsonWriter,
}

impl Emit<'_> {
    fn record<N: Node>(
        &self,
        out: &mut Vec<u8>,
        summary: &mut Summary,
        line: usize,
        id: Option<&N>,
        result: Result<&Decision, &str>,
    ) {
        summary.count(result);
        match self.format {
            OutputFormat::Json => self.json.write(out, line, id, result),
            OutputFormat::Table => {
                // Tables are for people, a few rows at a time: the id is copied.
                let id: Option<Json> = id.and_then(|id| serde_json::from_str(&id.to_json()).ok());
                let outcome =
                    Outcome::new(self.plan, line, id.as_ref(), result.map_err(str::to_string));
                out.extend_from_slice(table_row(&outcome).as_bytes());
            }
        }
    }

    /// Parses only the fields the plan reads, then decides.
    fn line(&self, projection: &Projection, task: &mut Task, line: usize, bytes: &[u8]) {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let Task {
            bytes: out,
            summary,
            decision,
        } = task;
        match projection.parse(bytes) {
            Ok(slots) => {
                let listing = Listing::from_slots(&slots);
                let result = self
                    .decider
                    .decide_into(&listing, decision)
                    .map_err(|e| e.to_string());
                self.record(
                    out,
                    summary,
                    line,
                    listing.id(self.plan),
                    result.as_ref().map(|()| &*decision).map_err(String::as_str),
                );
            }
            Err(error) => self.record(out, summary, line, None::<&Json>, Err(&error)),
        }
    }

    fn parsed(&self, out: &mut Vec<u8>, summary: &mut Summary, record: &Record) {
        match &record.listing {
            Ok(listing) => {
                let result = self.decider.decide_json(listing).map_err(|e| e.to_string());
                self.record(
                    out,
                    summary,
                    record.line,
                    listing.get("id"),
                    result.as_ref().map_err(String::as_str),
                );
            }
            Err(error) => self.record(out, summary, record.line, None::<&Json>, Err(error)),
        }
    }
}

/// Where each chunk's output goes.
type Sink<'s> = dyn FnMut(Vec<Vec<u8>>) -> io::Result<()> + 's;

fn evaluate(plan: &Plan, input: Input, args: &EvalArgs) -> io::Result<Summary> {
    let emit = Emit {
        plan,
        decider: Decider::new(plan, args.at),
        format: args.format,
        json: JsonWriter::new(plan),
    };
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    if args.format == OutputFormat::Table {
        out.write_all(table_header().as_bytes())?;
    }
    if rayon::current_num_threads() == 1 {
        // One thread means one: read, decide and write in turn.
        let summary = decide_all(&emit, input, &mut |parts| write_parts(&mut out, parts))?;
        out.flush()?;
        return Ok(summary);
    }
    // Otherwise output is written by a thread of its own, so that deciding the
    // next chunk never waits for the last one to reach the disk or the pipe.
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(2);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            for parts in receive {
                write_parts(&mut out, parts)?;
            }
            out.flush()
        });
        let closed = || io::Error::new(io::ErrorKind::BrokenPipe, "the output was closed");
        let summary = decide_all(&emit, input, &mut |parts| {
            send.send(parts).map_err(|_| closed())
        });
        drop(send);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the output thread stopped")));
        // A failed write (a closed pipe) explains a failed hand-over: report the write.
        written.and(summary)
    })
}

fn write_parts(out: &mut impl Write, parts: Vec<Vec<u8>>) -> io::Result<()> {
    parts.iter().try_for_each(|part| out.write_all(part))
}

fn decide_all(emit: &Emit, input: Input, sink: &mut Sink) -> io::Result<Summary> {
    match input {
        Input::Lines(reader) => lines(emit, reader, sink),
        Input::Records(records) => records_in_chunks(emit, records, sink),
    }
}

/// A run of whole NDJSON lines read from the input, and where each ends.
struct Chunk {
    first_line: usize,
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunk {
    /// Reads lines until the chunk holds about `CHUNK_BYTES`; `None` at the end.
    fn read(reader: &mut dyn BufRead, first_line: usize) -> io::Result<Option<Chunk>> {
        let mut chunk = Chunk {
            first_line,
            bytes: Vec::with_capacity(CHUNK_BYTES + (64 << 10)),
            ends: Vec::new(),
        };
        while chunk.bytes.len() < CHUNK_BYTES && reader.read_until(b'\n', &mut chunk.bytes)? > 0 {
            chunk.ends.push(chunk.bytes.len());
        }
        Ok((!chunk.ends.is_empty()).then_some(chunk))
    }

    /// (line number, text without its newline) for each line.
    fn lines(&self) -> Vec<(usize, &[u8])> {
        let mut start = 0;
        self.ends
            .iter()
            .enumerate()
            .map(|(i, &end)| {
                let text = &self.bytes[start..end];
                start = end;
                (
                    self.first_line + i,
                    text.strip_suffix(b"\n").unwrap_or(text),
                )
            })
            .collect()
    }
}

/// NDJSON: one thread reads chunks of lines while the pool decides the previous
/// chunk (with one thread, reading and deciding take turns), and the decisions
/// go to `sink` in input order.
fn lines(emit: &Emit, mut reader: Box<dyn BufRead + Send>, sink: &mut Sink) -> io::Result<Summary> {
    let projection = Projection::new(emit.plan);
    let mut summary = Summary::default();
    let mut decide = |chunk: Chunk| -> io::Result<()> {
        let each = |task: &mut Task, (line, text): &(usize, &[u8])| {
            emit.line(&projection, task, *line, text);
        };
        let (parts, part) = in_parallel(&chunk.lines(), each);
        summary.merge(part);
        sink(parts)
    };
    if rayon::current_num_threads() == 1 {
        let mut first_line = 1;
        while let Some(chunk) = Chunk::read(&mut reader, first_line)? {
            first_line += chunk.ends.len();
            decide(chunk)?;
        }
        return Ok(summary);
    }
    let (send, receive) = std::sync::mpsc::sync_channel::<io::Result<Chunk>>(1);
    std::thread::scope(|scope| -> io::Result<()> {
        scope.spawn(move || read_chunks(reader, &send));
        for chunk in receive {
            decide(chunk?)?;
        }
        Ok(())
    })?;
    Ok(summary)
}

/// Reads chunk after chunk into `send` until the input ends, fails, or the
/// receiver stops listening.
fn read_chunks(
    mut reader: Box<dyn BufRead + Send>,
    send: &std::sync::mpsc::SyncSender<io::Result<Chunk>>,
) {
    let mut first_line = 1;
    loop {
        let chunk = match Chunk::read(&mut reader, first_line) {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return,
            Err(e) => {
                let _ = send.send(Err(e));
                return;
            }
        };
        first_line += chunk.ends.len();
        if send.send(Ok(chunk)).is_err() {
            return;
        }
    }
}

fn records_in_chunks(emit: &Emit, records: Records, sink: &mut Sink) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let mut records = records.peekable();
    while records.peek().is_some() {
        let chunk: Vec<Record> = records.by_ref().take(CHUNK_RECORDS).collect();
        let each = |task: &mut Task, record: &Record| {
            emit.parsed(&mut task.bytes, &mut task.summary, record)
        };
        let (parts, part) = in_parallel(&chunk, each);
        summary.merge(part);
        sink(parts)?;
    }
    Ok(summary)
}

/// What a task of [`TASK`] items makes: output bytes and counts, with one
/// `Decision` that each item's is made into.
struct Task {
    bytes: Vec<u8>,
    summary: Summary,
    decision: Decision,
}

/// Decides `items` on all cores, a task of [`TASK`] items at a time: the output
/// of each task, in order, and the counts.
fn in_parallel<T: Sync>(
    items: &[T],
    each: impl Fn(&mut Task, &T) + Sync,
) -> (Vec<Vec<u8>>, Summary) {
    let parts: Vec<(Vec<u8>, Summary)> = items
        .par_chunks(TASK)
        .map(|items| {
            let mut task = Task {
                bytes: Vec::with_capacity(items.len() * 128),
                summary: Summary::default(),
                decision: Decision::default(),
            };
            for item in items {
                each(&mut task, item);
            }
            let Task { bytes, summary, .. } = task;
            (bytes, summary)
        })
        .collect();
    let mut summary = Summary::default();
    let bytes = parts
        .into_iter()
        .map(|(bytes, part)| {
            summary.merge(part);
            bytes
        })
        .collect();
    (bytes, summary)
}

/// The outcome for one parsed record, as a person or a test reads it.
pub fn outcome(plan: &Plan, record: &Record, at: NaiveDate) -> Outcome {
    match &record.listing {
        Ok(listing) => Outcome::from_result(record, plan, decide(plan, listing, at)),
        Err(e) => Outcome::failed(record, e.clone()),
    }
}

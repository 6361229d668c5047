//! The batch engine: records in, results out, in input order, on all cores, in
//! memory that does not grow with the catalogue.
//!
//! The input is read in chunks (about [`CHUNK_BYTES`] of NDJSON, or
//! [`CHUNK_RECORDS`] parsed records); each chunk is split into tasks of [`TASK`]
//! records that the current rayon pool runs in parallel, and each task's result
//! goes to the sink in input order. With more than one thread, reading the next
//! chunk, deciding this one and writing the last overlap; with one, they take
//! turns on that thread.
//!
//! What is done with each record is a [`Job`]; [`Decisions`] is the job that
//! decides each listing under a plan and hands the decision to a [`Collect`]or,
//! which is what `akar eval`, the REPL and the reports build on.

use std::io::{self, BufRead};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::eval::{Decider, Decision, EvalError, Listing};
use crate::input::projection::Projection;
use crate::input::{Input, Record, Records};
use crate::json::Node;

/// Bytes of NDJSON read per chunk, and records per chunk for other formats.
pub const CHUNK_BYTES: usize = 8 << 20;
pub const CHUNK_RECORDS: usize = 8192;
/// Records per parallel task: large enough to amortise scheduling.
pub const TASK: usize = 128;

/// What is done with each record.
pub trait Job: Sync {
    /// What one task makes of its records; the sink gets each in input order.
    type Part: Send;

    /// An empty part for a task of up to `records` records.
    fn part(&self, records: usize) -> Self::Part;

    /// One NDJSON line as read, without its newline; never blank.
    fn line(&self, part: &mut Self::Part, line: usize, bytes: &[u8]);

    /// One record of another format, already read.
    fn record(&self, part: &mut Self::Part, record: &Record);
}

/// Where each task's part goes, in input order.
pub type Sink<'s, P> = dyn FnMut(P) -> io::Result<()> + Send + 's;

/// Runs `job` over every record of `input` on the current rayon pool, handing
/// each task's part to `sink` in input order. Stops at the first error reading
/// the input or from the sink.
pub fn run<J: Job>(job: &J, input: Input, sink: &mut Sink<'_, J::Part>) -> io::Result<()> {
    if rayon::current_num_threads() == 1 {
        // One thread means one: read, decide and write in turn.
        return each_chunk(job, input, &mut |parts| {
            parts.into_iter().try_for_each(&mut *sink)
        });
    }
    // Otherwise the sink runs on a thread of its own, so that deciding the next
    // chunk never waits for the last one to reach the disk or the pipe.
    let (send, receive) = mpsc::sync_channel::<Vec<J::Part>>(2);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            for parts in receive {
                parts.into_iter().try_for_each(&mut *sink)?;
            }
            Ok(())
        });
        let closed = || io::Error::new(io::ErrorKind::BrokenPipe, "the output was closed");
        let decided = each_chunk(job, input, &mut |parts| {
            send.send(parts).map_err(|_| closed())
        });
        drop(send);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the output thread stopped")));
        // A failed write (a closed pipe) explains a failed hand-over: report the write.
        written.and(decided)
    })
}

/// Each chunk's parts, in order, to `sink`.
fn each_chunk<J: Job>(
    job: &J,
    input: Input,
    sink: &mut dyn FnMut(Vec<J::Part>) -> io::Result<()>,
) -> io::Result<()> {
    match input {
        Input::Lines(reader) => lines(job, reader, sink),
        Input::Records(records) => records_in_chunks(job, records, sink),
    }
}

/// A run of whole NDJSON lines read from the input, and where each ends.
struct Chunk {
    first_line: usize,
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

/// Reads NDJSON in chunks of whole lines: blocks of the input, cut after
/// their last newline, the rest carried to the next chunk. (Reading line by
/// line costs a call and a search per line.)
struct ChunkReader {
    reader: Box<dyn BufRead + Send>,
    /// Buffers of chunks already decided, to read into again: a new 8 MiB
    /// buffer per chunk is fresh memory the system must clear first.
    spare: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    carry: Vec<u8>,
    first_line: usize,
    done: bool,
}

impl ChunkReader {
    fn new(reader: Box<dyn BufRead + Send>) -> Self {
        ChunkReader {
            reader,
            spare: std::sync::Arc::default(),
            carry: Vec::new(),
            first_line: 1,
            done: false,
        }
    }

    /// The next chunk, of about `CHUNK_BYTES` (more where a line is longer);
    /// `None` at the end.
    fn next(&mut self) -> io::Result<Option<Chunk>> {
        let spare = self.spare.lock().ok().and_then(|mut spare| spare.pop());
        let mut bytes = spare.unwrap_or_else(|| Vec::with_capacity(CHUNK_BYTES + (64 << 10)));
        bytes.clear();
        bytes.append(&mut self.carry);
        let mut newline = memchr::memchr(b'\n', &bytes).is_some();
        while !self.done && (bytes.len() < CHUNK_BYTES || !newline) {
            let block = match self.reader.fill_buf() {
                Ok(block) => block,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if block.is_empty() {
                self.done = true;
                break;
            }
            newline |= memchr::memchr(b'\n', block).is_some();
            bytes.extend_from_slice(block);
            let read = block.len();
            self.reader.consume(read);
        }
        let cut = match self.done {
            true => bytes.len(),
            false => memchr::memrchr(b'\n', &bytes).map_or(bytes.len(), |at| at + 1),
        };
        self.carry = bytes.split_off(cut);
        if bytes.is_empty() {
            return Ok(None);
        }
        let mut ends: Vec<usize> = memchr::memchr_iter(b'\n', &bytes)
            .map(|at| at + 1)
            .collect();
        if bytes.last() != Some(&b'\n') {
            ends.push(bytes.len());
        }
        let chunk = Chunk {
            first_line: self.first_line,
            bytes,
            ends,
        };
        self.first_line += chunk.ends.len();
        Ok(Some(chunk))
    }
}

impl Chunk {
    /// (line number, text without its newline) for each line that is not blank.
    fn lines(&self) -> Vec<(usize, &[u8])> {
        let mut start = 0;
        let mut lines = Vec::with_capacity(self.ends.len());
        for (i, &end) in self.ends.iter().enumerate() {
            let text = self.bytes.get(start..end).unwrap_or_default();
            start = end;
            let text = text.strip_suffix(b"\n").unwrap_or(text);
            if !text.iter().all(u8::is_ascii_whitespace) {
                lines.push((self.first_line + i, text));
            }
        }
        lines
    }
}

/// NDJSON: one thread reads chunks of lines while the pool decides the previous
/// chunk (with one thread, reading and deciding take turns).
fn lines<J: Job>(
    job: &J,
    reader: Box<dyn BufRead + Send>,
    sink: &mut dyn FnMut(Vec<J::Part>) -> io::Result<()>,
) -> io::Result<()> {
    let mut reader = ChunkReader::new(reader);
    let spare = std::sync::Arc::clone(&reader.spare);
    let mut decide = |chunk: Chunk| -> io::Result<()> {
        let parts = in_parallel(job, &chunk.lines(), |job, part, (line, text)| {
            job.line(part, *line, text)
        });
        if let Ok(mut spare) = spare.lock()
            && spare.len() < 4
        {
            spare.push(chunk.bytes);
        }
        sink(parts)
    };
    if rayon::current_num_threads() == 1 {
        while let Some(chunk) = reader.next()? {
            decide(chunk)?;
        }
        return Ok(());
    }
    let (send, receive) = mpsc::sync_channel::<io::Result<Chunk>>(1);
    std::thread::scope(|scope| -> io::Result<()> {
        scope.spawn(move || read_chunks(reader, &send));
        for chunk in receive {
            decide(chunk?)?;
        }
        Ok(())
    })
}

/// Reads chunk after chunk into `send` until the input ends, fails, or the
/// receiver stops listening.
fn read_chunks(mut reader: ChunkReader, send: &mpsc::SyncSender<io::Result<Chunk>>) {
    loop {
        let chunk = match reader.next() {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return,
            Err(e) => {
                let _ = send.send(Err(e));
                return;
            }
        };
        if send.send(Ok(chunk)).is_err() {
            return;
        }
    }
}

fn records_in_chunks<J: Job>(
    job: &J,
    records: Records,
    sink: &mut dyn FnMut(Vec<J::Part>) -> io::Result<()>,
) -> io::Result<()> {
    let mut records = records.peekable();
    while records.peek().is_some() {
        let chunk: Vec<Record> = records.by_ref().take(CHUNK_RECORDS).collect();
        sink(in_parallel(job, &chunk, |job, part, record| {
            job.record(part, record)
        }))?;
    }
    Ok(())
}

/// Runs `each` over `items` on the pool, a task of [`TASK`] items at a time:
/// each task's part, in order.
fn in_parallel<J: Job, T: Sync>(
    job: &J,
    items: &[T],
    each: impl Fn(&J, &mut J::Part, &T) + Sync,
) -> Vec<J::Part> {
    let task = |items: &[T]| {
        let mut part = job.part(items.len());
        for item in items {
            each(job, &mut part, item);
        }
        part
    };
    // One thread: no work to hand out.
    if rayon::current_num_threads() == 1 {
        return items.chunks(TASK).map(task).collect();
    }
    items.par_chunks(TASK).map(task).collect()
}

/// What is kept of each listing's decision.
pub trait Collect: Sync {
    type Part: Send;

    /// An empty part for a task of up to `records` records.
    fn part(&self, records: usize) -> Self::Part;

    /// A listing and its decision, or why it could not be decided.
    fn decided<N: Node>(
        &self,
        part: &mut Self::Part,
        line: usize,
        listing: &Listing<N>,
        decision: Result<&Decision, &EvalError>,
    );

    /// A record that is not a listing: not JSON, or not an object.
    fn unreadable(&self, part: &mut Self::Part, line: usize, error: &str);
}

/// The job of deciding every listing on one date: NDJSON lines are parsed only
/// as far as the plan reads (see [`Projection`]), and each task makes its
/// decisions into one reused [`Decision`].
pub struct Decisions<'p, C> {
    decider: Decider<'p>,
    projection: Projection,
    collect: C,
}

/// A task's working decision and what its collector kept.
pub struct Decided<P> {
    decision: Decision,
    pub collected: P,
}

impl<'p, C: Collect> Decisions<'p, C> {
    pub fn new(decider: Decider<'p>, collect: C) -> Self {
        Decisions {
            projection: Projection::new(decider.plan()),
            decider,
            collect,
        }
    }

    pub fn collector(&self) -> &C {
        &self.collect
    }

    /// Decides every record of `input`, handing what the collector kept to
    /// `sink` in input order.
    pub fn run(&self, input: Input, sink: &mut Sink<'_, C::Part>) -> io::Result<()> {
        run(self, input, &mut |part: Decided<C::Part>| {
            sink(part.collected)
        })
    }
}

impl<C: Collect> Job for Decisions<'_, C> {
    type Part = Decided<C::Part>;

    fn part(&self, records: usize) -> Self::Part {
        Decided {
            decision: Decision::default(),
            collected: self.collect.part(records),
        }
    }

    fn line(&self, part: &mut Self::Part, line: usize, bytes: &[u8]) {
        match self.projection.parse(bytes) {
            Ok(slots) => {
                let listing = Listing::from_slots(&slots);
                let Decided {
                    decision,
                    collected,
                } = part;
                let result = self.decider.decide_into(&listing, decision);
                let result = result.as_ref().map(|()| &*decision);
                self.collect.decided(collected, line, &listing, result);
            }
            Err(error) => self.collect.unreadable(&mut part.collected, line, &error),
        }
    }

    fn record(&self, part: &mut Self::Part, record: &Record) {
        match &record.listing {
            Ok(json) => {
                let listing = Listing::from_json(self.decider.plan(), json);
                let result = self.decider.decide(&listing);
                let collected = &mut part.collected;
                self.collect
                    .decided(collected, record.line, &listing, result.as_ref());
            }
            Err(error) => self
                .collect
                .unreadable(&mut part.collected, record.line, error),
        }
    }
}

//! A JSON array of listings, read one element at a time.
//!
//! serde_json reads an array whole, and its first syntax error would lose every
//! record; here the bytes of each element are found first (by brackets and
//! strings alone, which a broken value rarely upsets) and each is parsed on its
//! own. A bad element is an `error` record and reading goes on; only when the
//! array's own structure breaks (an element never closes, a missing `,`) does
//! reading stop, after the records before the break, with one record saying
//! where. Memory holds one element at a time.

use std::io::BufRead;

use serde_json::Value as Json;

use super::{Record, json_message, not_object};

/// The records of the JSON array in `reader`, whose first non-blank byte is `[`.
pub(super) fn records(reader: impl BufRead + Send + 'static) -> super::Records {
    let mut elements = Elements {
        bytes: Bytes::new(reader),
        index: 0,
        state: State::Start,
        pending: None,
    };
    Box::new(std::iter::from_fn(move || elements.next_record()))
}

#[derive(PartialEq)]
enum State {
    Start,
    Inside,
    Done,
}

struct Elements<R> {
    bytes: Bytes<R>,
    /// Elements read so far.
    index: usize,
    state: State,
    /// The record saying where reading stopped, after the last one read.
    pending: Option<Record>,
}

impl<R: BufRead> Elements<R> {
    fn next_record(&mut self) -> Option<Record> {
        if let Some(record) = self.pending.take() {
            return Some(record);
        }
        if self.state == State::Start {
            self.bytes.skip_blank();
            if self.bytes.next() != Some(b'[') {
                return Some(self.stopped("the input does not start with `[`"));
            }
            self.state = State::Inside;
            self.bytes.skip_blank();
            if self.bytes.peek() == Some(b']') {
                self.bytes.next();
                self.state = State::Done;
            }
        }
        if self.state == State::Done {
            return None;
        }
        self.bytes.skip_blank();
        let (line, column) = (self.bytes.line, self.bytes.column);
        let element = match self.bytes.element() {
            Ok(element) => element,
            Err(problem) => return Some(self.stopped(problem)),
        };
        self.index += 1;
        let record = Record {
            line: self.index,
            listing: parse(&element, line, column),
        };
        self.bytes.skip_blank();
        match self.bytes.next() {
            Some(b',') => {}
            Some(b']') => {
                self.state = State::Done;
                self.bytes.skip_blank();
                if self.bytes.peek().is_some() {
                    self.pending = Some(self.stopped("there is more after the array's `]`"));
                }
            }
            None => self.pending = Some(self.stopped("the array is never closed with `]`")),
            Some(_) => self.pending = Some(self.stopped("expected `,` or `]` after an element")),
        }
        Some(record)
    }

    /// The record saying that reading stops here, and why.
    fn stopped(&mut self, problem: &str) -> Record {
        self.state = State::Done;
        let read = self.index;
        Record {
            line: read + 1,
            listing: Err(format!(
                "invalid JSON array at line {}, column {}: {problem}; reading stopped here, after {read} record{}",
                self.bytes.line,
                self.bytes.column,
                if read == 1 { "" } else { "s" }
            )),
        }
    }
}

fn parse(element: &[u8], line: usize, column: usize) -> Result<Json, String> {
    match serde_json::from_slice::<Json>(element) {
        Ok(value @ Json::Object(_)) => Ok(value),
        Ok(other) => Err(not_object(&other)),
        Err(e) => {
            // serde_json counts from the element's start; say where it is in the input.
            let (at_line, at_column) = match e.line() {
                1 => (line, column + e.column().saturating_sub(1)),
                n => (line + n - 1, e.column()),
            };
            Err(format!(
                "invalid JSON at line {at_line}, column {at_column}: {}",
                json_message(&e)
            ))
        }
    }
}

/// The input's bytes one at a time, with the line and column of the next.
struct Bytes<R> {
    reader: R,
    line: usize,
    column: usize,
}

impl<R: BufRead> Bytes<R> {
    fn new(reader: R) -> Self {
        Bytes {
            reader,
            line: 1,
            column: 1,
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.reader.fill_buf().ok()?.first().copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.reader.consume(1);
        if byte == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if byte & 0xC0 != 0x80 {
            self.column += 1;
        }
        Some(byte)
    }

    fn skip_blank(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.next();
        }
    }

    /// The bytes of one element: up to the `,` or `]` that closes it at depth 0,
    /// outside strings (which is left unread), or why it cannot be found.
    fn element(&mut self) -> Result<Vec<u8>, &'static str> {
        let mut element = Vec::new();
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let Some(byte) = self.peek() else {
                return Err(if in_string {
                    "a string is never closed"
                } else {
                    "the array is never closed with `]`"
                });
            };
            if in_string {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b']' if depth == 0 => break,
                    b'}' => return Err("a `}` closes nothing"),
                    _ => {}
                }
            }
            element.push(byte);
            self.next();
        }
        if element.iter().all(u8::is_ascii_whitespace) {
            return Err("an element is missing");
        }
        Ok(element)
    }
}

//! Listing catalogues: NDJSON, a JSON array, or CSV, from a file or stdin.
//!
//! Every record comes out as a [`Record`], bad ones included, so that each input
//! record gets exactly one output record.

mod array;
mod csv;
pub mod projection;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use miette::Diagnostic;
use serde_json::Value as Json;
use thiserror::Error;

/// One record of the input: its 1-based number and the listing, or why it is bad.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub line: usize,
    pub listing: Result<Json, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON object per line.
    Ndjson,
    /// A JSON array of objects, or JSON objects one after another in any layout.
    Json,
    /// A header row, then one listing per row; dotted headers build nested fields.
    Csv,
}

#[derive(Debug, Error, Diagnostic)]
#[error("cannot read listings from `{path}`: {reason}")]
#[diagnostic(
    code(akar::io::listings),
    help("check the path; use `-` to read from standard input")
)]
pub struct InputError {
    pub path: String,
    pub reason: String,
}

/// The records of a catalogue, read lazily.
pub type Records = Box<dyn Iterator<Item = Record> + Send>;

/// A catalogue opened for reading: NDJSON stays raw lines, so that each line can
/// be parsed where it is evaluated (in parallel, and only as far as the policy
/// reads); other formats come as parsed records.
pub enum Input {
    Lines(Box<dyn BufRead + Send>),
    Records(Records),
}

/// Opens a catalogue. The format comes from `format`, else the extension (`.csv`
/// is CSV, `.json` is JSON, `.ndjson` and `.jsonl` are NDJSON), else the first
/// character: `[` starts a JSON array, anything else is NDJSON. JSON that is not
/// an array is read as a sequence of objects, one record each, however they are
/// laid out over lines. NDJSON, named or found, is never read as one array, so
/// its lines are never merged into one record.
pub fn open_input(path: &str, format: Option<InputFormat>) -> Result<Input, InputError> {
    let fail = |e: io::Error| InputError {
        path: path.to_string(),
        reason: e.to_string().to_lowercase(),
    };
    let reader: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(fail)?)
    };
    let extension = Path::new(path).extension().map(|e| e.to_ascii_lowercase());
    let extension = extension.as_ref().and_then(|e| e.to_str());
    from_reader(reader, extension, format).map_err(fail)
}

/// The records of a catalogue held in memory, read as [`open_input`] reads a
/// file (without an extension to go by).
pub fn read(bytes: Vec<u8>, format: Option<InputFormat>) -> Records {
    match from_reader(Box::new(io::Cursor::new(bytes)), None, format) {
        Ok(Input::Lines(reader)) => Box::new(ndjson(reader)),
        Ok(Input::Records(records)) => records,
        Err(e) => Box::new(std::iter::once(Record {
            line: 1,
            listing: Err(format!("cannot read the input: {e}")),
        })),
    }
}

/// A catalogue from a reader, its format told by `format`, else by the
/// file's `extension`, else by its first character (see [`open_input`]).
pub fn from_reader(
    reader: Box<dyn Read + Send>,
    extension: Option<&str>,
    format: Option<InputFormat>,
) -> io::Result<Input> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let named = format.or(match extension {
        Some("csv") => Some(InputFormat::Csv),
        Some("json") => Some(InputFormat::Json),
        Some("ndjson" | "jsonl") => Some(InputFormat::Ndjson),
        _ => None,
    });
    let first = first_byte(&mut reader)?;
    Ok(match (named, first) {
        (Some(InputFormat::Csv), _) => Input::Records(csv::records(reader)),
        (Some(InputFormat::Ndjson), _) => Input::Lines(Box::new(reader)),
        (_, Some(b'[')) => Input::Records(array::records(reader)),
        (Some(InputFormat::Json), _) => Input::Records(json_stream(reader)),
        (None, _) => Input::Lines(Box::new(reader)),
    })
}

/// Opens a catalogue as parsed records, whatever its format.
pub fn open(path: &str, format: Option<InputFormat>) -> Result<Records, InputError> {
    Ok(match open_input(path, format)? {
        Input::Lines(reader) => Box::new(ndjson(reader)),
        Input::Records(records) => records,
    })
}

/// The first non-blank byte, without consuming anything but a UTF-8 byte-order
/// mark (so that line numbers stay those of the file).
fn first_byte(reader: &mut BufReader<Box<dyn Read + Send>>) -> io::Result<Option<u8>> {
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let buffer = reader.fill_buf()?;
    Ok(buffer.iter().find(|b| !b.is_ascii_whitespace()).copied())
}

/// JSON values one after another, whatever the layout: each is a record.
fn json_stream(reader: impl Read + Send + 'static) -> Records {
    let mut values = serde_json::Deserializer::from_reader(reader).into_iter::<Json>();
    let mut failed = false;
    Box::new(
        std::iter::from_fn(move || {
            if failed {
                return None;
            }
            let value = values.next()?;
            failed = value.is_err();
            Some(value)
        })
        .enumerate()
        .map(|(i, value)| Record {
            line: i + 1,
            listing: match value {
                Ok(value @ Json::Object(_)) => Ok(value),
                Ok(other) => Err(format!(
                    "expected a JSON object, found {}",
                    crate::json::describe(&other)
                )),
                Err(e) => Err(format!(
                    "invalid JSON at line {}, column {}: {}; no further record could be read",
                    e.line(),
                    e.column(),
                    json_error(&e)
                )),
            },
        }),
    )
}

/// NDJSON, streamed: `line` is the line number; blank lines are not records.
pub fn ndjson(reader: impl BufRead + Send + 'static) -> impl Iterator<Item = Record> + Send {
    reader.split(b'\n').enumerate().filter_map(|(index, line)| {
        let line_no = index + 1;
        let bytes = match line {
            Ok(bytes) => bytes,
            Err(e) => {
                return Some(Record {
                    line: line_no,
                    listing: Err(format!("cannot read the line: {e}")),
                });
            }
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(Record {
            line: line_no,
            listing: parse_object(&bytes),
        })
    })
}

/// A JSON object from one record's bytes, or the reason it is not one.
pub fn parse_object(bytes: &[u8]) -> Result<Json, String> {
    match serde_json::from_slice::<Json>(bytes) {
        Ok(value @ Json::Object(_)) => Ok(value),
        Ok(other) => Err(format!(
            "expected a JSON object, found {}",
            crate::json::describe(&other)
        )),
        Err(e) => Err(format!("invalid JSON: {}", json_error(&e))),
    }
}

/// Why a value that is not an object is not a listing.
fn not_object(value: &Json) -> String {
    format!(
        "expected a JSON object, found {}",
        crate::json::describe(value)
    )
}

/// serde_json's message without the place it appends ("at line 1 column 7").
fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

fn json_error(e: &serde_json::Error) -> String {
    let message = e.to_string();
    // serde_json appends "at line 1 column N"; within one record only the column helps.
    match message.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &message[..i], e.column()),
        None => message,
    }
}

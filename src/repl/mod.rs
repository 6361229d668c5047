//! The REPL: `akar repl [FILE...]`, for trying rules against listings.
//!
//! The core is [`Session`], a plain type that takes one input (a rule, a `let`, a
//! condition or a `:command`) and returns the text to show. [`input`] decides,
//! with the parser, when an input is finished. The terminal front end
//! (`editor`) adds history, completion, hints and colours; without a terminal,
//! [`run_piped`] reads lines with no prompt, so a session can be scripted.

mod commands;
mod complete;
mod condition;
mod editor;
mod error;
mod help;
mod highlight;
pub mod input;
mod listings;
mod policy;
mod session;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

pub use complete::{Completion, Vocabulary, complete, hint, keywords};
pub use error::ReplError;
pub use highlight::{Token, paint, tokens};
pub use input::{Enter, Kind, Lines, classify, is_incomplete, on_enter};
pub use session::{Reply, Session};

use crate::diagnostics::{ErrorFormat, Style};

/// Runs a session over the terminal, or over piped standard input. Returns false
/// if any input was refused (for scripts: the exit code says something failed).
pub fn run(files: &[PathBuf]) -> bool {
    let terminal = std::io::stdin().is_terminal();
    let color = terminal
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let style = Style {
        format: ErrorFormat::Human,
        color,
        width: terminal_width(),
    };
    let mut session = Session::new(chrono::Utc::now().date_naive(), style);
    let mut ok = true;
    if !files.is_empty() {
        let reply = session.load(files);
        print!("{}", reply.text);
        ok = !reply.failed;
    }
    if terminal && editor::run(&mut session, color) {
        return true;
    }
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    run_piped(&mut session, stdin.lock(), &mut stdout.lock()) && ok
}

/// Reads inputs line by line (an unfinished input takes the next lines, as in
/// the terminal) and writes each reply; no prompts, no colours. Returns false if
/// any input was refused.
pub fn run_piped(session: &mut Session, reader: impl BufRead, out: &mut impl Write) -> bool {
    let mut lines = Lines::default();
    let mut ok = true;
    for (number, line) in reader.split(b'\n').enumerate() {
        let line = match line.map(String::from_utf8) {
            Ok(Ok(line)) => line,
            // A line that is not text is refused, and the session goes on.
            Ok(Err(_)) => {
                let reply = session.unreadable_line(number + 1);
                ok = false;
                let _ = out.write_all(reply.text.as_bytes());
                continue;
            }
            Err(e) => {
                let _ = writeln!(out, "akar: cannot read the input: {e}");
                ok = false;
                break;
            }
        };
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if let Some(input) = lines.push(line) {
            let reply = session.submit(&input);
            ok &= !reply.failed;
            let _ = out.write_all(reply.text.as_bytes());
            if reply.quit {
                return ok;
            }
        }
    }
    if let Some(input) = lines.finish() {
        let reply = session.submit(&input);
        ok &= !reply.failed;
        let _ = out.write_all(reply.text.as_bytes());
    }
    let _ = out.flush();
    ok
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

//! `akar repl [FILE...]`: the interactive session (see [`crate::repl`]).

use std::path::PathBuf;

use super::Exit;

/// Exits 1 when a scripted (piped) session had an input refused.
pub fn run(files: &[PathBuf]) -> Exit {
    if crate::repl::run(files) {
        Exit::Ok
    } else {
        Exit::Failed
    }
}

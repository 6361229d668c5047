//! `akar fmt [--check] FILE...`: rewrites policy files in their canonical layout.
//!
//! stdout lists the files that were (or, with `--check`, would be) reformatted, one
//! path a line; for `-` it is the formatted text of stdin instead. stderr has the
//! diagnostics, a hint at the first difference with `--check`, and a summary. A file
//! that does not parse is left as it is. Exit: 0, or 1 when a file has syntax errors
//! or `--check` found one to reformat, or 2 when a file cannot be read or written.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use miette::{Diagnostic, Report};
use thiserror::Error;

use super::Exit;
use crate::ci::Finding;
use crate::diagnostics::{ErrorFormat, Problem, Style, render, render_all};
use crate::fmt::{FmtError, format};
use crate::source::Sources;

/// What `-` means among the files.
const STDIN: &str = "-";

#[derive(Debug, Error, Diagnostic)]
enum IoError {
    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(
        code(akar::fmt::write),
        help("check that the file is writable; it was not changed")
    )]
    File { path: String, reason: String },

    #[error("cannot read the policy from stdin: {reason}")]
    #[diagnostic(code(akar::io::stdin))]
    Stdin { reason: String },
}

/// One run over the files: counts and the worst exit so far.
struct Run {
    check: bool,
    style: Style,
    seen: usize,
    changed: usize,
    failed: usize,
    /// Formatted text went to stdout (`-`): no summary then, it is a filter.
    filtered: bool,
    exit: Exit,
    /// For `--error-format sarif`: everything found, written as one log at the end.
    findings: Vec<Finding>,
}

pub fn run(files: &[PathBuf], check: bool, style: Style) -> Exit {
    let mut run = Run {
        check,
        style,
        seen: 0,
        changed: 0,
        failed: 0,
        filtered: false,
        exit: Exit::Ok,
        findings: Vec::new(),
    };
    for path in files {
        if path.as_os_str() == STDIN {
            run.stdin();
            continue;
        }
        match Sources::load(std::slice::from_ref(path)) {
            Ok(sources) => {
                for file in sources.files() {
                    run.file(&file.name, &file.text, &target(path, &file.name));
                }
            }
            Err(e) => run.fail(Exit::Usage, &Report::new(e)),
        }
    }
    run.summary();
    run.exit
}

impl Run {
    /// Formats one file: rewrites it at `target`, or with `--check` says that it would.
    fn file(&mut self, name: &str, text: &str, target: &Path) {
        self.seen += 1;
        let Some(formatted) = self.format(name, text) else {
            return;
        };
        if formatted == text {
            return;
        }
        self.changed += 1;
        if self.check {
            println!("{name}");
            self.hint(name, text, &formatted);
            self.worsen(Exit::Failed);
            return;
        }
        match std::fs::write(target, &formatted) {
            Ok(()) => println!("{name}"),
            Err(e) => {
                let reason = e.to_string().to_lowercase();
                let error = IoError::File {
                    path: name.to_string(),
                    reason,
                };
                self.fail(Exit::Usage, &Report::new(error));
            }
        }
    }

    /// `-`: the formatted text on stdout, or with `--check` whether it would change.
    fn stdin(&mut self) {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            let reason = e.to_string().to_lowercase();
            self.fail(Exit::Usage, &Report::new(IoError::Stdin { reason }));
            return;
        }
        if self.check {
            return self.file("<stdin>", &text, Path::new(STDIN));
        }
        self.filtered = true;
        if let Some(formatted) = self.format("<stdin>", &text) {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(formatted.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                self.worsen(Exit::Usage);
            }
        }
    }

    /// The formatted text, or `None` with the problems already written.
    fn format(&mut self, name: &str, text: &str) -> Option<String> {
        let error = match format(text) {
            Ok(formatted) => return Some(formatted),
            Err(error) => error,
        };
        let mut sources = Sources::default();
        let id = sources.add(name, text);
        let problems: Vec<Problem> = match error {
            FmtError::Syntax { errors } => {
                errors.into_iter().map(|e| Problem::new(id, e)).collect()
            }
            other => vec![Problem::new(id, other)],
        };
        match self.style.format {
            ErrorFormat::Github | ErrorFormat::Sarif => {
                let found = problems
                    .iter()
                    .map(|p| Finding::of_problem(p, &sources))
                    .collect();
                self.emit(found);
            }
            ErrorFormat::Human | ErrorFormat::Json => {
                eprint!("{}", render_all(problems, &sources, self.style));
            }
        }
        self.failed += 1;
        self.worsen(Exit::Failed);
        None
    }

    /// With `--check`, where the file first differs from its layout.
    fn hint(&mut self, name: &str, text: &str, formatted: &str) {
        let (old, new): (Vec<&str>, Vec<&str>) =
            (text.split('\n').collect(), formatted.split('\n').collect());
        let at = (0..old.len().max(new.len()))
            .find(|n| old.get(*n) != new.get(*n))
            .unwrap_or(0);
        match self.style.format {
            ErrorFormat::Human => {}
            ErrorFormat::Json => return,
            ErrorFormat::Github | ErrorFormat::Sarif => {
                return self.emit(vec![Finding {
                    level: "error",
                    code: "akar::fmt::layout".into(),
                    message: format!(
                        "not in the canonical layout from here on\nhelp: run `akar fmt {name}`"
                    ),
                    file: Some(name.to_string()),
                    line: Some(at + 1),
                    column: None,
                }]);
            }
        }
        let (was, want) = (old.get(at).copied(), new.get(at).copied());
        eprintln!("{name}:{}: not in the canonical layout", at + 1);
        match (was, want) {
            (Some(was), Some(want)) if was.trim_end() == want => {
                eprintln!("  (trailing whitespace or line ending)");
            }
            (None, Some("")) | (Some(""), None) => {
                eprintln!("  (the file should end with exactly one newline)");
            }
            _ => {
                eprintln!("  - {}", was.unwrap_or("(end of file)").trim_end());
                eprintln!("  + {}", want.unwrap_or("(end of file)"));
            }
        }
    }

    /// `ok: 3 files already formatted`, or `3 files: 1 reformatted, 1 with errors, ...`.
    fn summary(&self) {
        if self.style.format == ErrorFormat::Sarif {
            eprint!("{}", crate::ci::sarif(&self.findings));
            return;
        }
        if self.style.format != ErrorFormat::Human || self.seen == 0 || self.filtered {
            return;
        }
        let files = |n: usize| {
            if n == 1 {
                "1 file".to_string()
            } else {
                format!("{n} files")
            }
        };
        let unchanged = self.seen.saturating_sub(self.changed + self.failed);
        if unchanged == self.seen {
            eprintln!("ok: {} already formatted", files(self.seen));
            return;
        }
        let changed = if self.check {
            "would be reformatted"
        } else {
            "reformatted"
        };
        let parts: Vec<String> = [
            (self.changed, changed),
            (self.failed, "with errors, left as they are"),
            (unchanged, "already formatted"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        eprintln!("{}: {}", files(self.seen), parts.join(", "));
    }

    fn fail(&mut self, exit: Exit, report: &Report) {
        match self.style.format {
            ErrorFormat::Sarif => {
                let diagnostic = crate::diagnostics::json_diagnostic(report.as_ref(), None);
                self.findings.push(Finding::of_diagnostic(&diagnostic));
            }
            _ => eprint!("{}", render(report, self.style)),
        }
        self.worsen(exit);
    }

    /// GitHub annotations at once; SARIF findings kept for the one log.
    fn emit(&mut self, findings: Vec<Finding>) {
        match self.style.format {
            ErrorFormat::Sarif => self.findings.extend(findings),
            _ => eprint!("{}", crate::ci::github(&findings)),
        }
    }

    fn worsen(&mut self, exit: Exit) {
        if exit as i32 > self.exit as i32 {
            self.exit = exit;
        }
    }
}

/// The path of a file loaded from `arg` under the name `name`: `arg` itself, or for
/// a directory the entry that `name` (written with `display`, which may be lossy)
/// stands for, so that a file is never written under a mangled name.
fn target(arg: &Path, name: &str) -> PathBuf {
    if !arg.is_dir() {
        return arg.to_path_buf();
    }
    std::fs::read_dir(arg)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.display().to_string() == name)
        .unwrap_or_else(|| PathBuf::from(name))
}

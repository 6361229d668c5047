//! `akar check FILE...`: every error and warning, and a count.

use std::path::PathBuf;

use super::{Exit, render_problems};
use crate::check::check_all;
use crate::diagnostics::{ErrorFormat, Style, counted, render};
use crate::source::Sources;

/// Exit 1 on errors, and on warnings too with `deny_warnings`.
pub fn run(files: &[PathBuf], style: Style, deny_warnings: bool) -> Exit {
    let sources = match Sources::load(files) {
        Ok(sources) => sources,
        Err(e) => {
            eprint!("{}", render(&miette::Report::new(e), style));
            return Exit::Usage;
        }
    };
    let checked = check_all(&sources);
    let (errors, warnings) = (checked.errors(), checked.warnings());
    let rules = checked.plan.as_ref().map_or(0, |p| p.rules().len());
    if !checked.problems.is_empty() || style.format == ErrorFormat::Sarif {
        // A SARIF log is written even when empty: code scanning reads "no findings".
        eprint!("{}", render_problems(checked.problems, &sources, style));
    }
    if errors > 0 {
        return Exit::Failed;
    }
    if style.format == ErrorFormat::Human {
        let n = sources.files().len();
        let plural = if n == 1 { "" } else { "s" };
        let rules_plural = if rules == 1 { "" } else { "s" };
        let found = match warnings {
            0 => "no problems found".to_string(),
            w => format!("{} (no errors)", counted(0, w)),
        };
        eprintln!("ok: {n} file{plural}, {rules} rule{rules_plural}, {found}");
    }
    if deny_warnings && warnings > 0 {
        if style.format == ErrorFormat::Human {
            eprintln!("akar: failing, as `--deny-warnings` asks");
        }
        return Exit::Failed;
    }
    Exit::Ok
}

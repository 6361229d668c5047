//! `akar check FILE...`

use std::path::PathBuf;

use super::{Exit, load_plan};
use crate::diagnostics::{ErrorFormat, Style};

pub fn run(files: &[PathBuf], style: Style) -> Exit {
    match load_plan(files, style) {
        Ok((sources, plan)) => {
            if style.format == ErrorFormat::Human {
                let n = sources.files().len();
                let plural = if n == 1 { "" } else { "s" };
                let rules = plan.rules().len();
                let rules_plural = if rules == 1 { "" } else { "s" };
                eprintln!("ok: {n} file{plural}, {rules} rule{rules_plural}, no problems found");
            }
            Exit::Ok
        }
        Err(exit) => exit,
    }
}

//! `akar test FILE...`: runs the `test` blocks; the last line is `N passed, N failed`.

use std::path::PathBuf;

use super::{Exit, load_plan};
use crate::diagnostics::Style;
use crate::testing::run_all;

pub fn run(files: &[PathBuf], style: Style) -> Exit {
    let (_, plan) = match load_plan(files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let (mut passed, mut failed) = (0, 0);
    for ran in run_all(&plan, chrono::Utc::now().date_naive()) {
        let case = ran.case;
        match ran.result {
            Ok(()) => {
                passed += 1;
                println!("ok    {}", case.name);
            }
            Err(why) => {
                failed += 1;
                println!("FAIL  {} ({})\n      {why}", case.name, case.location);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 { Exit::Failed } else { Exit::Ok }
}

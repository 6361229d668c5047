//! `akar test FILE...`: runs the `test` blocks; the last line is `N passed, N
//! failed`. With `--coverage`, also what the tests exercise; `--format junit`
//! for CI test reports; `--error-format github|sarif` puts failures on the
//! tests' lines.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{ErrorArgs, Exit, load_plan};
use crate::ci::{Finding, github, sarif};
use crate::diagnostics::ErrorFormat;
use crate::review::coverage::Coverage;
use crate::source::Sources;
use crate::testing::{Ran, run_all};

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Policy files, or directories of `.policy` files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// `human`: a line per test; `junit`: JUnit XML, which CI services read.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Also report what the tests exercise: each rule firing and not, each
    /// `or` branch true and `and` operand false, each `unless`, `overrides`
    /// and `match` arm.
    #[arg(long)]
    pub coverage: bool,
    /// `text` (after the tests), `json`, or `lcov` (keyed by the policies'
    /// lines, for coverage services); json and lcov go to `--coverage-output`,
    /// else to stdout, with the test lines on stderr.
    #[arg(long, value_enum, default_value_t = CoverageFormat::Text, requires = "coverage")]
    pub coverage_format: CoverageFormat,
    /// Write the coverage to this file.
    #[arg(long, value_name = "FILE", requires = "coverage")]
    pub coverage_output: Option<PathBuf>,
    /// Exit 1 when coverage is below this percentage (implies `--coverage`).
    #[arg(long, value_name = "PERCENT")]
    pub min_coverage: Option<f64>,
    #[command(flatten)]
    pub errors: ErrorArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    Human,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoverageFormat {
    Text,
    Json,
    Lcov,
}

pub fn run(args: &TestArgs) -> Exit {
    let style = args.errors.style();
    let (sources, plan) = match load_plan(&args.files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let today = chrono::Utc::now().date_naive();
    let ran = run_all(&plan, today);
    let failed = ran.iter().filter(|r| r.result.is_err()).count();
    let coverage =
        (args.coverage || args.min_coverage.is_some()).then(|| Coverage::measure(&plan, today));
    // Machine-read coverage on stdout moves the test lines to stderr.
    let coverage_on_stdout = coverage.is_some()
        && args.coverage_output.is_none()
        && args.coverage_format != CoverageFormat::Text;
    let results = match args.format {
        TestFormat::Human => human(&ran, failed),
        TestFormat::Junit => junit(&ran, failed),
    };
    if coverage_on_stdout {
        eprint!("{results}");
    } else {
        print!("{results}");
    }
    match style.format {
        ErrorFormat::Github => eprint!("{}", github(&failures(&ran))),
        ErrorFormat::Sarif => eprint!("{}", sarif(&failures(&ran))),
        ErrorFormat::Human | ErrorFormat::Json => {}
    }
    let mut exit = if failed > 0 { Exit::Failed } else { Exit::Ok };
    if let Some(coverage) = &coverage {
        if let Err(e) = write_coverage(coverage, &sources, args) {
            eprintln!("akar: cannot write the coverage: {e}");
            return Exit::Usage;
        }
        if let Some(min) = args.min_coverage
            && coverage.percent() < min
        {
            eprintln!(
                "akar: failing, as `--min-coverage {min}` asks: coverage is {:.1}%",
                coverage.percent()
            );
            exit = Exit::Failed;
        }
    }
    exit
}

fn human(ran: &[Ran<'_>], failed: usize) -> String {
    let mut out = String::new();
    for ran in ran {
        let case = ran.case;
        match &ran.result {
            Ok(()) => {
                let _ = writeln!(out, "ok    {}", case.name);
            }
            Err(why) => {
                let _ = writeln!(out, "FAIL  {} ({})\n      {why}", case.name, case.location);
            }
        }
    }
    let _ = writeln!(out, "{} passed, {failed} failed", ran.len() - failed);
    out
}

/// `FILE:LINE` as its parts.
fn file_line(location: &str) -> (String, Option<usize>) {
    match location.rsplit_once(':') {
        Some((file, line)) => (file.to_string(), line.parse().ok()),
        None => (location.to_string(), None),
    }
}

/// The failing tests, each at its `test` line.
fn failures(ran: &[Ran<'_>]) -> Vec<Finding> {
    ran.iter()
        .filter_map(|ran| {
            let why = ran.result.as_ref().err()?;
            let (file, line) = file_line(&ran.case.location);
            Some(Finding {
                level: "error",
                code: "akar::test::failed".into(),
                message: format!("test \"{}\" failed: {why}", ran.case.name),
                file: Some(file),
                line,
                column: None,
            })
        })
        .collect()
}

/// JUnit XML: a suite per policy file, a case per test, failures with why.
fn junit(ran: &[Ran<'_>], failed: usize) -> String {
    let mut suites: Vec<(String, Vec<&Ran<'_>>)> = Vec::new();
    for ran in ran {
        let (file, _) = file_line(&ran.case.location);
        match suites.iter_mut().find(|(f, _)| *f == file) {
            Some((_, cases)) => cases.push(ran),
            None => suites.push((file, vec![ran])),
        }
    }
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"akar\" tests=\"{}\" failures=\"{failed}\">\n",
        ran.len()
    );
    for (file, cases) in &suites {
        let failures = cases.iter().filter(|r| r.result.is_err()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
            xml(file),
            cases.len()
        );
        for ran in cases {
            let (_, line) = file_line(&ran.case.location);
            let line = line.map_or_else(String::new, |l| format!(" line=\"{l}\""));
            let head = format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"{line}",
                xml(&ran.case.name),
                xml(file),
                xml(file)
            );
            match &ran.result {
                Ok(()) => {
                    let _ = writeln!(out, "{head}/>");
                }
                Err(why) => {
                    let _ = writeln!(
                        out,
                        "{head}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(why.lines().next().unwrap_or_default()),
                        xml(why)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text safe in XML attributes and content.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn write_coverage(coverage: &Coverage, sources: &Sources, args: &TestArgs) -> std::io::Result<()> {
    let text = match args.coverage_format {
        CoverageFormat::Text => coverage.text(sources),
        CoverageFormat::Json => {
            serde_json::to_string_pretty(&coverage.json(sources)).unwrap_or_default() + "\n"
        }
        CoverageFormat::Lcov => coverage.lcov(sources),
    };
    match &args.coverage_output {
        Some(path) => std::fs::write(path, text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

//! `akar sql`: a policy set as one SQL query for DuckDB or Spark.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::eval::parse_date;
use super::{ErrorArgs, Exit, load_plan};
use crate::diagnostics::render;
use crate::sql::{Dialect, Options, columns, compile};

#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// Policy files, or directories of `.policy` files; together one policy set.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The SQL engine the query is for.
    #[arg(long, value_enum)]
    pub dialect: DialectArg,
    /// Evaluation date, `YYYY-MM-DD`: the rules in force on it are compiled.
    #[arg(long, value_parser = parse_date, default_value_t = chrono::Utc::now().date_naive())]
    pub at: NaiveDate,
    /// The listings table, or any relation the engine reads (a view,
    /// `read_json('catalogue.ndjson', columns = ...)`, `parquet.\`path\``).
    #[arg(long, default_value = "listings")]
    pub table: String,
    /// A column numbering the records (1-based), written back as `line`.
    #[arg(long)]
    pub line_column: Option<String>,
    /// Write only the table's columns the query reads, typed by the schema:
    /// DuckDB's `read_json` `columns` struct, or a Spark DDL schema.
    #[arg(long)]
    pub columns: bool,
    #[command(flatten)]
    pub errors: ErrorArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DialectArg {
    Duckdb,
    Spark,
}

pub fn run(args: &SqlArgs) -> Exit {
    let style = args.errors.style();
    let (sources, plan) = match load_plan(&args.files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let dialect = match args.dialect {
        DialectArg::Duckdb => Dialect::Duckdb,
        DialectArg::Spark => Dialect::Spark,
    };
    let options = Options {
        dialect,
        at: args.at,
        table: args.table.clone(),
        line: args.line_column.clone(),
    };
    let compiled = compile(&plan, &sources, &options);
    let problems = match compiled {
        Ok(_) if args.columns => {
            println!("{}", columns(&plan, dialect, options.line.as_deref()));
            return Exit::Ok;
        }
        Ok(sql) => {
            print!("{sql}");
            return Exit::Ok;
        }
        Err(problems) => problems,
    };
    let count = problems.len();
    for problem in problems {
        eprint!("{}", render(&miette::Report::new(problem), style));
    }
    eprintln!(
        "akar: {count} form{} cannot be said in SQL; nothing written",
        if count == 1 { "" } else { "s" }
    );
    Exit::Failed
}

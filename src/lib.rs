//! akar: rules as code for online marketplaces.
//!
//! The pipeline, one module each: [`syntax`] (the pest grammar read into an AST
//! with spans) → [`check`] (names resolved, types checked, a [`plan::Plan`]
//! compiled) → [`eval`] (a decision per listing). [`input`] reads catalogues,
//! [`output`] writes decisions, [`fmt`] lays policy files out canonically, and [`cli`]
//! ties them together for the `akar` binary.
//!
//! ```
//! use akar::{Sources, check::check_sources, eval::{Decider, decide}, plan::Action};
//!
//! let mut sources = Sources::default();
//! sources.add("akar.policy", "block import where cluster in [fashion, culinary, craft]");
//! let plan = check_sources(&sources).expect("the policy is valid");
//!
//! let listing = serde_json::json!({"cluster": "fashion", "cross_border": true});
//! let today = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
//! let decision = decide(&plan, &listing, today).unwrap();
//! assert_eq!(decision.action, Action::Block);
//! assert_eq!(plan.rules()[decision.rules[0]].label, "akar.policy:1");
//!
//! // Many listings on one date: a Decider compiles the plan and finds the rules in
//! // force once (`decide` above makes one for each call).
//! let decider = Decider::new(&plan, today);
//! let domestic = serde_json::json!({"cluster": "fashion", "cross_border": false});
//! assert_eq!(decider.decide_json(&domestic).unwrap().action, Action::Allow);
//! ```

pub mod batch;
pub mod check;
pub mod ci;
#[cfg(feature = "cli")]
pub mod cli;
pub mod diagnostics;
pub mod eval;
pub mod fmt;
pub mod fuzzy;
pub mod infer;
pub mod input;
pub mod json;
pub mod money;
pub mod output;
pub mod plan;
#[cfg(feature = "cli")]
pub mod repl;
pub mod review;
pub mod source;
pub mod sql;
pub mod syntax;
pub mod synth;
pub mod testing;
pub mod zone;

pub use source::Sources;

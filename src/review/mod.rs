//! Reviewing a change to the rules. [`tally`] counts what each rule of a policy
//! set does to a catalogue; [`compare`] decides each listing of a catalogue
//! under two sides in one pass (two policy sets, or one on two dates); [`diff`]
//! turns the pairs into a report of what changed, which [`render`] writes for
//! people, for pull requests and for tools.

pub mod compare;
pub mod coverage;
pub mod diff;
pub mod render;
pub mod report;
pub mod tally;

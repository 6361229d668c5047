//! akar: rules as code for online marketplaces.
#![doc = "The pipeline: [`syntax`] → [`check`] → [`eval`]."]

pub mod fuzzy;
pub mod syntax;

//! The lifecycle's tests, in one binary: guards (table-driven), accepted paths, queries, the JSON
//! wire form and proptest properties over random event sequences.

mod guards;
mod json;
mod paths;
mod properties;
mod support;

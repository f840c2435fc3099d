//! Aggregate reports for a period, as of a day.

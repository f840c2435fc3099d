//! A deterministic, realistic demo dataset.

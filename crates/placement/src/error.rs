//! The crate's one error type: invalid input, naming the field.

use serde::{Deserialize, Serialize};

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum Problem {
    /// A number is NaN or infinite.
    #[error("is not a finite number")]
    NotFinite,
    /// A latitude outside −90..=90 or a longitude outside −180..=180.
    #[error("is out of range ({min} to {max})")]
    OutOfRange {
        /// Smallest allowed value.
        min: i32,
        /// Largest allowed value.
        max: i32,
    },
    /// A distance or radius below zero.
    #[error("is negative")]
    Negative,
    /// More beds occupied than exist.
    #[error("occupied ({occupied}) exceeds capacity ({capacity})")]
    OccupiedExceedsCapacity {
        /// Beds in total.
        capacity: u32,
        /// Beds taken.
        occupied: u32,
    },
    /// An empty identifier.
    #[error("is empty")]
    Empty,
    /// An identifier used twice.
    #[error("duplicates id {id:?}")]
    DuplicateId {
        /// The identifier.
        id: String,
    },
    /// A group names a person not in the batch.
    #[error("names unknown person {id:?}")]
    UnknownPerson {
        /// The identifier.
        id: String,
    },
    /// A keep-apart pair whose two people must also be kept together (directly or through merged
    /// keep-together groups), or a person paired with themselves.
    #[error("asks to keep {first:?} and {second:?} apart, but they must be kept together")]
    Contradiction {
        /// One person.
        first: String,
        /// The other.
        second: String,
    },
    /// `max_travel_km` is set but `current_location` is not.
    #[error("is required when max_travel_km is set")]
    Required,
    /// A weight above [`crate::score::MAX_WEIGHT`], or a scale that is not positive.
    #[error("must be between {min} and {max}")]
    WeightOutOfRange {
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// The batch is too large for exact integer arithmetic (far beyond any real rescue).
    #[error("is too large to solve exactly")]
    TooLarge,
}

/// Invalid input to [`crate::rank`] or [`crate::assign`]. `field` is a path such as
/// `facilities[3].location.lat` or `people[0].needs.exclusion_zones[1].radius_km`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("invalid input: {field} {problem}")]
pub struct PlacementError {
    /// Path of the offending field.
    pub field: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl PlacementError {
    /// An error for `field`.
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }
}

//! Small validation helpers shared by the services. Each pushes a [`FieldError`] naming the field
//! and the reason, so that a request with several mistakes gets all of them back at once.

use chrono::NaiveDate;

use crate::error::{CoreError, FieldError, Result};

/// A required text field: not blank, at most `max` characters.
pub(crate) fn required(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else {
        max_len(errors, field, value, max);
    }
}

/// An optional text field: when present, not blank and at most `max` characters.
#[allow(dead_code)] // for the services of the core issue
pub(crate) fn optional(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value {
        required(errors, field, v, max);
    }
}

/// At most `max` characters.
pub(crate) fn max_len(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("is longer than {max} characters"),
        ));
    }
}

/// A date that must not be after today.
pub(crate) fn not_future(
    errors: &mut Vec<FieldError>,
    field: &str,
    date: NaiveDate,
    today: NaiveDate,
) {
    if date > today {
        errors.push(FieldError::new(field, format!("{date} is in the future")));
    }
}

/// A date that must not be before `earliest` (named in the message).
#[allow(dead_code)] // for the services of the core issue
pub(crate) fn not_before(
    errors: &mut Vec<FieldError>,
    field: &str,
    date: NaiveDate,
    earliest: NaiveDate,
    what: &str,
) {
    if date < earliest {
        errors.push(FieldError::new(
            field,
            format!("{date} is before {what} ({earliest})"),
        ));
    }
}

/// Turns collected errors into a result.
pub(crate) fn check(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Validation(errors))
    }
}

/// Errors for one field.
#[allow(dead_code)] // for the services of the core issue
pub(crate) fn invalid<T>(field: &str, reason: impl Into<String>) -> Result<T> {
    Err(CoreError::Validation(vec![FieldError::new(field, reason)]))
}

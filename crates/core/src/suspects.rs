//! Suspects and persons of interest.

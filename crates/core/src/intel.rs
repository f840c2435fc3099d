//! Intelligence sources and reports, grading records and police dissemination.

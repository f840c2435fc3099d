//! HTCDS-aligned, de-identified and k-anonymised export of cases.

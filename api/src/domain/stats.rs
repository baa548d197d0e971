//! Statistics and reports.

//! Appeals: lifecycle, staff actions and scoped queries.

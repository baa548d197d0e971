//! Working days and deadlines.

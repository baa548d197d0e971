//! Russian text of the supervisor module's screens.

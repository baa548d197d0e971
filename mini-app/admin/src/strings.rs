//! Russian text of the administration module's screens.

//! The tools behind the command line, beside the server rather than in it: knowledge-base
//! import, export and evaluation, the production calendar's import, demo data and the
//! whole-database copy. Only `main.rs` (and tests) call them; routes, start-up, jobs and
//! the domain never import this module, so the server does not depend on it.

pub mod calendar;
pub mod dbcopy;
pub mod demo;
pub mod kb;

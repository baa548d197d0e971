//! The tools behind the command line, beside the server rather than in it: knowledge-base
//! import, export and evaluation, the production calendar's import, demo data, the
//! whole-database copy, backups and the first administrator. Only `main.rs` (and tests) call them; routes, start-up, jobs and
//! the domain never import this module, so the server does not depend on it.

pub mod admin;
pub mod backup;
pub mod calendar;
pub mod dbcopy;
pub mod demo;
pub mod kb;

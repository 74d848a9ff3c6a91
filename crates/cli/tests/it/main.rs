//! The integration suite: one binary, every test on SQLite and (with
//! DANDANG_TEST_POSTGRES) on PostgreSQL, each with a fresh database.

mod support;

mod access;
mod audit;
mod auth;
mod cli;
mod imports;
mod leaks;
mod malformed;
mod matrix;
mod measures;
mod policy;
mod registry;
mod scope_props;
mod supervision;
mod tolerance;
mod worklists;

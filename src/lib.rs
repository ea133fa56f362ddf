//! rmaboard: the warranty-repair workshop's console.

#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod import;
pub mod paperwork;
pub mod report;
pub mod store;
pub mod sys;
pub mod tui;
pub mod workshop;

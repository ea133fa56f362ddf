//! rmaboard: the warranty-repair workshop's console.

// Tests may unwrap: a panic there is a failed test, not a user's lost work.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod files;
pub mod import;
pub mod inbox;
pub mod paperwork;
pub mod report;
pub mod store;
pub mod sys;
pub mod tui;
pub mod workshop;

//! rmaboard: the warranty-repair workshop's console.

pub mod domain;
pub mod store;
pub mod config;
pub mod tui;

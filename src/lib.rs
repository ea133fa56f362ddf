//! rmaboard: the warranty-repair workshop's console.

pub mod domain;

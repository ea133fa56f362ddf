//! The board: a keyboard-driven ratatui console for the workshop bench.

use crate::config::Config;
use crate::store::Store;

/// Run the board on `store` until the user quits. The terminal is always restored.
pub fn run(store: Store, config: &Config, user: &str) -> anyhow::Result<()> {
    let _ = (store, config, user);
    anyhow::bail!("the board is not built yet")
}

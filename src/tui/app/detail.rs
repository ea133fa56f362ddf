//! The detail view: one case whole, in place of the board. It scrolls with its own keys
//! (the `detail` mode of the key map); the board's commands work on the case it shows.

use crate::domain::case::CaseDetail;
use crate::tui::action::DetailAction;

/// What fills the screen under any overlay.
#[derive(Debug, Clone)]
pub enum Screen {
    /// The panes.
    Board,
    /// One case's details.
    Detail(Box<DetailState>),
}

/// The detail view of one case.
#[derive(Debug, Clone)]
pub struct DetailState {
    /// The case's row id.
    pub id: i64,
    /// `None` until it is loaded.
    pub detail: Option<CaseDetail>,
    /// How far it is scrolled, in lines.
    pub scroll: u16,
}

impl DetailState {
    /// The view of case `id`, while it loads.
    pub fn loading(id: i64) -> DetailState {
        DetailState {
            id,
            detail: None,
            scroll: 0,
        }
    }

    /// Act on a key of the view's own; false when it asks to go back to the board.
    pub fn on_action(&mut self, action: DetailAction) -> bool {
        let s = self.scroll;
        self.scroll = match action {
            DetailAction::ScrollDown => s.saturating_add(1),
            DetailAction::ScrollUp => s.saturating_sub(1),
            DetailAction::PageDown => s.saturating_add(10),
            DetailAction::PageUp => s.saturating_sub(10),
            DetailAction::Top => 0,
            DetailAction::Back => return false,
        };
        true
    }
}

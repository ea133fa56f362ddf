//! Everything a user can ask the board to do. The snake_case names are the names used in
//! `keys.toml`, and the descriptions feed the help overlay and the status-bar hints.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    PaneLeft,
    PaneRight,
    CaseUp,
    CaseDown,
    PageUp,
    PageDown,
    First,
    Last,
    Details,
    Back,
    MoveForward,
    MoveBack,
    NewCase,
    AddNote,
    Edit,
    Void,
    Search,
    Undo,
    ToggleExpected,
    Report,
    Outbox,
    Help,
    Quit,
}

impl Action {
    /// In the order the help overlay lists them.
    pub const ALL: [Action; 23] = [
        Action::PaneLeft,
        Action::PaneRight,
        Action::CaseUp,
        Action::CaseDown,
        Action::PageUp,
        Action::PageDown,
        Action::First,
        Action::Last,
        Action::Details,
        Action::Back,
        Action::MoveForward,
        Action::MoveBack,
        Action::NewCase,
        Action::AddNote,
        Action::Edit,
        Action::Void,
        Action::Search,
        Action::Undo,
        Action::ToggleExpected,
        Action::Report,
        Action::Outbox,
        Action::Help,
        Action::Quit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::PaneLeft => "pane_left",
            Action::PaneRight => "pane_right",
            Action::CaseUp => "case_up",
            Action::CaseDown => "case_down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::First => "first",
            Action::Last => "last",
            Action::Details => "details",
            Action::Back => "back",
            Action::MoveForward => "move_forward",
            Action::MoveBack => "move_back",
            Action::NewCase => "new_case",
            Action::AddNote => "add_note",
            Action::Edit => "edit",
            Action::Void => "void",
            Action::Search => "search",
            Action::Undo => "undo",
            Action::ToggleExpected => "toggle_expected",
            Action::Report => "report",
            Action::Outbox => "outbox",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }

    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// A word or two for the status-bar hints.
    pub fn label(self) -> &'static str {
        match self {
            Action::PaneLeft => "pane",
            Action::PaneRight => "pane",
            Action::CaseUp | Action::CaseDown => "case",
            Action::PageUp | Action::PageDown => "page",
            Action::First => "first",
            Action::Last => "last",
            Action::Details => "details",
            Action::Back => "back",
            Action::MoveForward => "next stage",
            Action::MoveBack => "stage back",
            Action::NewCase => "new",
            Action::AddNote => "note",
            Action::Edit => "edit",
            Action::Void => "void",
            Action::Search => "search",
            Action::Undo => "undo",
            Action::ToggleExpected => "expected",
            Action::Report => "report",
            Action::Outbox => "outbox",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }
}

//! Everything a user can ask with a key, mode by mode: the board, the detail view and each
//! overlay. The snake_case names are the names used in `keys.toml` (with `mode = "…"` for
//! every mode but the board), and the labels feed the status-bar hints; the descriptions
//! shown in the help come with the keys, from `assets/keys.toml`.

/// Where keys are read: the board, the detail view, or the overlay that is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Board,
    Detail,
    Form,
    Choice,
    Search,
    Report,
    Outbox,
    Help,
}

impl Mode {
    /// In the order the help lists them.
    pub const ALL: [Mode; 8] = [
        Mode::Board,
        Mode::Detail,
        Mode::Form,
        Mode::Choice,
        Mode::Search,
        Mode::Report,
        Mode::Outbox,
        Mode::Help,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Board => "board",
            Mode::Detail => "detail",
            Mode::Form => "form",
            Mode::Choice => "choice",
            Mode::Search => "search",
            Mode::Report => "report",
            Mode::Outbox => "outbox",
            Mode::Help => "help",
        }
    }

    pub fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The heading of this mode's keys in the help.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Board => "On the board",
            Mode::Detail => "In a case's details",
            Mode::Form => "In a form",
            Mode::Choice => "Answering a question",
            Mode::Search => "In search",
            Mode::Report => "In the report",
            Mode::Outbox => "In the outbox",
            Mode::Help => "In this help",
        }
    }

    /// What the help says of the keys this mode does not take from the key map.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Mode::Board => None,
            Mode::Detail => Some("The board's commands work here on the case shown."),
            Mode::Form => Some(
                "Typing goes into the field: ←/→ Home End Backspace Del edit it, Ctrl-U empties it; in a note Enter starts a new line; on a list ←/→ or Space choose.",
            ),
            Mode::Choice => Some("The letter in brackets answers at once."),
            Mode::Search => Some("Typing searches: ←/→ Home End Backspace Del, Ctrl-U empties."),
            Mode::Report | Mode::Outbox | Mode::Help => Some("Any other key closes."),
        }
    }

    /// Digits and capital letters type a scan here, so they never run an action.
    pub fn scans(self) -> bool {
        matches!(self, Mode::Board | Mode::Detail)
    }

    /// Characters typed here are text, so only keys that type nothing run an action.
    pub fn takes_text(self) -> bool {
        matches!(self, Mode::Form | Mode::Search)
    }

    /// Each action's name and hint label, in help order.
    pub fn actions(self) -> Vec<(&'static str, &'static str)> {
        fn of<A: ModeAction>() -> Vec<(&'static str, &'static str)> {
            A::all().iter().map(|a| (a.name(), a.label())).collect()
        }
        match self {
            Mode::Board => of::<Action>(),
            Mode::Detail => of::<DetailAction>(),
            Mode::Form => of::<FormAction>(),
            Mode::Choice => of::<ChoiceAction>(),
            Mode::Search => of::<SearchAction>(),
            Mode::Report => of::<ReportAction>(),
            Mode::Outbox => of::<OutboxAction>(),
            Mode::Help => of::<HelpAction>(),
        }
    }
}

/// The actions of one mode, so the key map can look them up by type.
pub trait ModeAction: Copy + Eq + 'static {
    const MODE: Mode;
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
    fn label(self) -> &'static str;
    fn parse(name: &str) -> Option<Self> {
        Self::all().iter().copied().find(|a| a.name() == name)
    }
}

/// An action enum of one mode: each variant with its `keys.toml` name and its hint label.
macro_rules! actions {
    ($(#[$meta:meta])* $ty:ident in $mode:ident {
        $($variant:ident = $name:literal, $label:literal;)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $($variant,)*
        }

        impl $ty {
            /// In the order the help lists them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)*
                }
            }

            /// A word or two for the status-bar hints.
            pub fn label(self) -> &'static str {
                match self {
                    $($ty::$variant => $label,)*
                }
            }

            pub fn parse(name: &str) -> Option<$ty> {
                <$ty as ModeAction>::parse(name)
            }
        }

        impl ModeAction for $ty {
            const MODE: Mode = Mode::$mode;
            fn all() -> &'static [$ty] {
                $ty::ALL
            }
            fn name(self) -> &'static str {
                $ty::name(self)
            }
            fn label(self) -> &'static str {
                $ty::label(self)
            }
        }
    };
}

actions! {
    /// On the board; the commands among them work in the detail view too.
    Action in Board {
        PaneLeft = "pane_left", "pane";
        PaneRight = "pane_right", "pane";
        CaseUp = "case_up", "case";
        CaseDown = "case_down", "case";
        PageUp = "page_up", "page";
        PageDown = "page_down", "page";
        First = "first", "first";
        Last = "last", "last";
        Details = "details", "details";
        Back = "back", "back";
        MoveForward = "move_forward", "next stage";
        MoveBack = "move_back", "stage back";
        NewCase = "new_case", "new";
        AddNote = "add_note", "note";
        Edit = "edit", "edit";
        Void = "void", "void";
        Search = "search", "search";
        Undo = "undo", "undo";
        ToggleExpected = "toggle_expected", "expected";
        Report = "report", "report";
        Outbox = "outbox", "outbox";
        StopWaiting = "stop_waiting", "stop waiting";
        Help = "help", "help";
        Quit = "quit", "quit";
    }
}

actions! {
    /// Reading one case's details.
    DetailAction in Detail {
        ScrollUp = "scroll_up", "scroll";
        ScrollDown = "scroll_down", "scroll";
        PageUp = "page_up", "page";
        PageDown = "page_down", "page";
        Top = "top", "top";
        Back = "back", "back";
    }
}

actions! {
    /// Filling in a form; what can be typed goes into the field.
    FormAction in Form {
        NextOrSave = "next_or_save", "next/save";
        NextField = "next_field", "field";
        PreviousField = "previous_field", "field back";
        Save = "save", "save";
        Cancel = "cancel", "cancel";
    }
}

actions! {
    /// A question with lettered answers.
    ChoiceAction in Choice {
        Up = "up", "pick";
        Down = "down", "pick";
        Pick = "pick", "answer";
        Cancel = "cancel", "cancel";
    }
}

actions! {
    /// Searching; what can be typed goes into the query.
    SearchAction in Search {
        Up = "up", "pick";
        Down = "down", "pick";
        Show = "show", "show";
        Close = "close", "close";
    }
}

actions! {
    /// The workshop report.
    ReportAction in Report {
        Earlier = "earlier", "earlier";
        Later = "later", "later";
        ScrollUp = "scroll_up", "scroll";
        ScrollDown = "scroll_down", "scroll";
        PageUp = "page_up", "page";
        PageDown = "page_down", "page";
        Close = "close", "close";
    }
}

actions! {
    /// The outbox of customer messages.
    OutboxAction in Outbox {
        Up = "up", "pick";
        Down = "down", "pick";
        SendAll = "send_all", "send all";
        Drop = "drop", "drop";
        Close = "close", "close";
    }
}

actions! {
    /// The help overlay.
    HelpAction in Help {
        ScrollUp = "scroll_up", "scroll";
        ScrollDown = "scroll_down", "scroll";
        PageUp = "page_up", "page";
        PageDown = "page_down", "page";
        Close = "close", "close";
    }
}

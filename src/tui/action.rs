//! Everything a user can ask with a key, mode by mode: the board, the detail view and each
//! overlay. The snake_case names are the names used in `keys.toml` (with `mode = "…"` for
//! every mode but the board), and the labels feed the status-bar hints; the descriptions
//! shown in the help come with the keys, from `assets/keys.toml`.

/// Where keys are read: the board, the detail view, or the overlay that is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The panes, with nothing open over them.
    Board,
    /// One case's details.
    Detail,
    /// A form a move, an edit or a new case needs.
    Form,
    /// A question with lettered answers.
    Choice,
    /// Search as you type.
    Search,
    /// The workshop report.
    Report,
    /// The outbox of customer messages.
    Outbox,
    /// A customer's mail (a request), to answer.
    Mail,
    /// The help overlay.
    Help,
}

impl Mode {
    /// In the order the help lists them.
    pub const ALL: [Mode; 9] = [
        Mode::Board,
        Mode::Detail,
        Mode::Form,
        Mode::Choice,
        Mode::Search,
        Mode::Report,
        Mode::Outbox,
        Mode::Mail,
        Mode::Help,
    ];

    /// The name used for `mode = "…"` in `keys.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Board => "board",
            Mode::Detail => "detail",
            Mode::Form => "form",
            Mode::Choice => "choice",
            Mode::Search => "search",
            Mode::Report => "report",
            Mode::Outbox => "outbox",
            Mode::Mail => "mail",
            Mode::Help => "help",
        }
    }

    /// The mode a `keys.toml` name stands for, if any.
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
            Mode::Mail => "In a customer's mail (a request)",
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
            Mode::Choice => Some(
                "The letter in brackets answers at once. A scan, a digit or a capital letter puts the question aside unanswered and finds its number instead.",
            ),
            Mode::Search => Some("Typing searches: ←/→ Home End Backspace Del, Ctrl-U empties."),
            Mode::Mail => Some(
                "A scan, a digit or a capital letter closes the mail unanswered and finds its number.",
            ),
            Mode::Report | Mode::Outbox | Mode::Help => Some(
                "Any other key closes; a scan, a digit or a capital letter closes and finds its number.",
            ),
        }
    }

    /// Digits and capital letters start a number here (a scan, or one typed by hand), so
    /// they never run an action: everywhere but where text is typed.
    pub fn scans(self) -> bool {
        !self.takes_text()
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
            Mode::Mail => of::<MailAction>(),
            Mode::Help => of::<HelpAction>(),
        }
    }
}

/// The actions of one mode, so the key map can look them up by type.
pub trait ModeAction: Copy + Eq + 'static {
    /// The mode whose keys run these actions.
    const MODE: Mode;
    /// Every action of the mode, in help order.
    fn all() -> &'static [Self];
    /// The snake_case name used in `keys.toml`.
    fn name(self) -> &'static str;
    /// A word or two for the status-bar hints.
    fn label(self) -> &'static str;
    /// The action a `keys.toml` name stands for, if any.
    fn parse(name: &str) -> Option<Self> {
        Self::all().iter().copied().find(|a| a.name() == name)
    }
}

/// An action enum of one mode: each variant with its `keys.toml` name and its hint label.
macro_rules! actions {
    ($(#[$meta:meta])* $ty:ident in $mode:ident {
        $($(#[$vmeta:meta])* $variant:ident = $name:literal, $label:literal;)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $($(#[$vmeta])* $variant,)*
        }

        impl $ty {
            /// In the order the help lists them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            /// The snake_case name used in `keys.toml`.
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

            /// The action a `keys.toml` name stands for, if any.
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
        /// The pane to the left.
        PaneLeft = "pane_left", "pane";
        /// The pane to the right.
        PaneRight = "pane_right", "pane";
        /// The case above in the pane.
        CaseUp = "case_up", "case";
        /// The case below in the pane.
        CaseDown = "case_down", "case";
        /// A page of cases up.
        PageUp = "page_up", "page";
        /// A page of cases down.
        PageDown = "page_down", "page";
        /// The pane's first case.
        First = "first", "first";
        /// The pane's last case.
        Last = "last", "last";
        /// Open the selected case's details, notes and history.
        Details = "details", "details";
        /// Leave the detail view, back to the board; on the board, clear the marks.
        Back = "back", "back";
        /// Mark or unmark the selected card: the next moves act on all marked cards.
        Mark = "mark", "mark";
        /// Show only one reseller's cases, picked from a list; again: everyone's.
        Reseller = "reseller", "reseller";
        /// Mark every inspected case of the selected card's reseller, to ship together.
        MarkReady = "mark_ready", "ready to ship";
        /// Move the case to its next stage, asking only what that move needs.
        MoveForward = "move_forward", "next stage";
        /// Move the case one stage back (recorded as its own event).
        MoveBack = "move_back", "stage back";
        /// Open a new case, showing its verdict before saving.
        NewCase = "new_case", "new";
        /// Open a case for every line of a reseller's request file, all or nothing.
        OpenBatch = "open_batch", "request file";
        /// Add a repair note to the case.
        AddNote = "add_note", "note";
        /// Correct the fault, the inbound tracking number or the manufacturer reference.
        Edit = "edit", "edit";
        /// Record a void warranty: the device goes back unrepaired.
        Void = "void", "void";
        /// Search RMA, IMEI, tracking numbers, customer and notes as you type.
        Search = "search", "search";
        /// Undo the user's own last move, after asking.
        Undo = "undo", "undo";
        /// Hide or show the Expected pane.
        ToggleExpected = "toggle_expected", "expected";
        /// Hide or show the Requests pane (customers' mail waiting for an answer).
        ToggleRequests = "toggle_requests", "requests";
        /// Open the workshop report.
        Report = "report", "report";
        /// Open the outbox of customer messages.
        Outbox = "outbox", "outbox";
        /// Stop waiting for another connection's write lock; the write under way saves nothing.
        StopWaiting = "stop_waiting", "stop waiting";
        /// Open the help, generated from the key map.
        Help = "help", "help";
        /// Quit; every change is already saved.
        Quit = "quit", "quit";
    }
}

actions! {
    /// Reading one case's details.
    DetailAction in Detail {
        /// Scroll up a line.
        ScrollUp = "scroll_up", "scroll";
        /// Scroll down a line.
        ScrollDown = "scroll_down", "scroll";
        /// Scroll up a page.
        PageUp = "page_up", "page";
        /// Scroll down a page.
        PageDown = "page_down", "page";
        /// Back to the top.
        Top = "top", "top";
        /// Back to the board.
        Back = "back", "back";
    }
}

actions! {
    /// Filling in a form; what can be typed goes into the field.
    FormAction in Form {
        /// The next field; on the last field, save.
        NextOrSave = "next_or_save", "next/save";
        /// The next field (in a note, where Enter starts a new line).
        NextField = "next_field", "field";
        /// The previous field.
        PreviousField = "previous_field", "field back";
        /// Save the form from any field.
        Save = "save", "save";
        /// Close the form; nothing is saved.
        Cancel = "cancel", "cancel";
    }
}

actions! {
    /// A question with lettered answers.
    ChoiceAction in Choice {
        /// Mark the answer above.
        Up = "up", "pick";
        /// Mark the answer below.
        Down = "down", "pick";
        /// Take the marked answer.
        Pick = "pick", "answer";
        /// Close the question; nothing is changed.
        Cancel = "cancel", "cancel";
    }
}

actions! {
    /// Searching; what can be typed goes into the query.
    SearchAction in Search {
        /// Pick the case above in the results.
        Up = "up", "pick";
        /// Pick the case below in the results.
        Down = "down", "pick";
        /// Show the picked case on the board.
        Show = "show", "show";
        /// Close the search.
        Close = "close", "close";
    }
}

actions! {
    /// The workshop report.
    ReportAction in Report {
        /// The 13 weeks before.
        Earlier = "earlier", "earlier";
        /// The 13 weeks after.
        Later = "later", "later";
        /// Scroll the overdue list up.
        ScrollUp = "scroll_up", "scroll";
        /// Scroll the overdue list down.
        ScrollDown = "scroll_down", "scroll";
        /// Scroll the overdue list up a page.
        PageUp = "page_up", "page";
        /// Scroll the overdue list down a page.
        PageDown = "page_down", "page";
        /// Close the report.
        Close = "close", "close";
    }
}

actions! {
    /// The outbox of customer messages.
    OutboxAction in Outbox {
        /// Pick the message above.
        Up = "up", "pick";
        /// Pick the message below.
        Down = "down", "pick";
        /// Scroll the shown message up a page.
        PageUp = "page_up", "scroll";
        /// Scroll the shown message down a page.
        PageDown = "page_down", "scroll";
        /// Scroll the shown message up a line.
        ScrollUp = "scroll_up", "scroll";
        /// Scroll the shown message down a line.
        ScrollDown = "scroll_down", "scroll";
        /// Send every waiting message through the configured mail command.
        SendAll = "send_all", "send all";
        /// Take the picked message out for good, with a reason.
        Drop = "drop", "drop";
        /// Close the outbox.
        Close = "close", "close";
    }
}

actions! {
    /// A customer's mail (a request): its devices with their verdicts, and the answers.
    MailAction in Mail {
        /// Pick the device above.
        Up = "up", "device";
        /// Pick the device below.
        Down = "down", "device";
        /// Mark or unmark the picked device: opening then opens only the marked.
        Mark = "mark", "mark";
        /// Scroll the mail's text down a page.
        PageDown = "page_down", "scroll";
        /// Scroll the mail's text up a page.
        PageUp = "page_up", "scroll";
        /// Scroll the mail's text down a line.
        ScrollDown = "scroll_down", "scroll";
        /// Scroll the mail's text up a line.
        ScrollUp = "scroll_up", "scroll";
        /// Open a case for each marked device, or for every device when none is marked.
        Open = "open", "open cases";
        /// Refuse the request, with the policy's reason.
        Refuse = "refuse", "refuse";
        /// Ask the customer a question (the request stays open).
        Ask = "ask", "ask";
        /// Close the mail; nothing is answered.
        Close = "close", "close";
    }
}

actions! {
    /// The help overlay.
    HelpAction in Help {
        /// Scroll up a line.
        ScrollUp = "scroll_up", "scroll";
        /// Scroll down a line.
        ScrollDown = "scroll_down", "scroll";
        /// Scroll up a page.
        PageUp = "page_up", "page";
        /// Scroll down a page.
        PageDown = "page_down", "page";
        /// Close the help.
        Close = "close", "close";
    }
}

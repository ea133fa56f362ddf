//! The popups over the board, one file each: a form, a question, a parcel to unpack,
//! search, the workshop report, the outbox, a customer's mail, the help. Each reads keys as the actions of its
//! own mode of the key map and answers with an [`Outcome`] (stay, close, run effects, give
//! way to another overlay); the app carries it out. A new popup is a new file here, a variant of
//! [`Overlay`], its actions and mode in `action.rs` and its keys in `assets/keys.toml`.

pub mod choice;
pub mod form;
pub mod help;
pub mod mail;
pub mod outbox;
pub mod parcel;
pub mod report;
pub mod resellers;
pub mod search;

use chrono::{DateTime, NaiveDate, Utc};
use crossterm::event::KeyEvent;

pub use choice::{Choice, ChoiceKind};
pub use help::Help;
pub use mail::RequestMail;
pub use outbox::Outbox;
pub use parcel::Parcel;
pub use report::WorkshopReport;
pub use resellers::ResellerPicker;
pub use search::Search;

use super::action::{FormAction, Mode};
use super::form::Form;
use super::keymap::KeyMap;
use super::protocol::{Effect, Message, MessageKind};

/// The popup open over the board, with its state.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// The help, generated from the key map.
    Help(Help),
    /// A form a move, an edit, a note or a new case needs.
    Form(Box<Form>),
    /// A question with lettered answers.
    Choice(Choice),
    /// Search as you type.
    Search(Search),
    /// The workshop report.
    Report(WorkshopReport),
    /// The outbox of customer messages.
    Outbox(Outbox),
    /// The reseller filter's picker (search's keys).
    Resellers(ResellerPicker),
    /// An inbound parcel of several expected cases being unpacked (a question's keys).
    Parcel(Box<Parcel>),
    /// A customer's mail (a request), to answer.
    Mail(Box<RequestMail>),
}

/// What an overlay may know of the app while it reads a key.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    /// The key map in effect.
    pub keys: &'a KeyMap,
    /// The board's clock.
    pub now: DateTime<Utc>,
    /// Today where the board is (dates typed or asked for are local).
    pub today: NaiveDate,
    /// Why nothing can be saved now (a read-only database, a newer schema), if so.
    pub read_only: Option<String>,
}

/// What happens to the overlay after a key.
#[derive(Debug)]
pub enum Then {
    /// It stays open, changed or not.
    Stay,
    /// It closes.
    Close,
    /// Another overlay takes its place (a question that needs a form, say).
    Replace(Overlay),
}

/// What a key in an overlay asks of the app.
#[derive(Debug)]
#[must_use]
pub struct Outcome {
    /// What becomes of the overlay.
    pub then: Then,
    /// Store work to ask for.
    pub effects: Vec<Effect>,
    /// Said on the message line.
    pub message: Option<Message>,
}

impl Outcome {
    /// Stay open, nothing else.
    pub fn stay() -> Outcome {
        Outcome::then(Then::Stay)
    }

    /// Close, nothing else.
    pub fn close() -> Outcome {
        Outcome::then(Then::Close)
    }

    /// Give way to `overlay`.
    pub fn replace(overlay: Overlay) -> Outcome {
        Outcome::then(Then::Replace(overlay))
    }

    fn then(then: Then) -> Outcome {
        Outcome {
            then,
            effects: Vec::new(),
            message: None,
        }
    }

    /// And ask the store for this.
    pub fn run(mut self, effects: Vec<Effect>) -> Outcome {
        self.effects.extend(effects);
        self
    }

    /// And say this on the message line.
    pub fn say(self, text: impl Into<String>) -> Outcome {
        self.message(text, MessageKind::Info)
    }

    /// And say this on the message line as something wrong.
    pub fn complain(self, text: impl Into<String>) -> Outcome {
        self.message(text, MessageKind::Error)
    }

    fn message(mut self, text: impl Into<String>, kind: MessageKind) -> Outcome {
        self.message = Some(Message {
            text: text.into(),
            kind,
        });
        self
    }
}

impl Overlay {
    /// The key-map mode its keys are read in.
    pub fn mode(&self) -> Mode {
        match self {
            Overlay::Help(_) => Mode::Help,
            Overlay::Form(_) => Mode::Form,
            Overlay::Choice(_) => Mode::Choice,
            Overlay::Search(_) => Mode::Search,
            Overlay::Report(_) => Mode::Report,
            Overlay::Outbox(_) => Mode::Outbox,
            Overlay::Resellers(_) => Mode::Search,
            Overlay::Parcel(_) => Mode::Choice,
            Overlay::Mail(_) => Mode::Mail,
        }
    }

    /// Read a key in this overlay's mode.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        match self {
            Overlay::Help(help) => help.on_key(key, cx),
            Overlay::Form(form) => form.on_key(key, cx),
            Overlay::Choice(choice) => choice.on_key(key, cx),
            Overlay::Search(search) => search.on_key(key, cx),
            Overlay::Report(report) => report.on_key(key, cx),
            Overlay::Outbox(outbox) => outbox.on_key(key, cx),
            Overlay::Resellers(picker) => picker.on_key(key, cx),
            Overlay::Parcel(parcel) => parcel.on_key(key, cx),
            Overlay::Mail(mail) => mail.on_key(key, cx),
        }
    }

    /// Its keys for the status-bar hints.
    pub fn hints(&self, keys: &KeyMap) -> Vec<(String, &'static str)> {
        match self {
            // In a note Enter is the text's own key: it starts a new line.
            Overlay::Form(form) if form.focused().is_some_and(|f| f.multiline()) => {
                let enter = FormAction::NextOrSave.name();
                let mut hints = vec![("Enter".to_string(), "new line")];
                hints.extend(KeyMap::hints_of(
                    keys.mode(Mode::Form).filter(|b| b.name != enter),
                ));
                hints
            }
            Overlay::Parcel(_) => vec![
                (
                    keys.first_key(super::action::ChoiceAction::Pick),
                    "receive the ticked",
                ),
                (
                    keys.first_key(super::action::ChoiceAction::Cancel),
                    "leave, save nothing",
                ),
                ("Backspace".to_string(), "untick the last"),
            ],
            // The answers first: at 80 columns the scroll keys are what is cut.
            Overlay::Mail(_) => {
                use super::action::MailAction as M;
                vec![
                    (keys.pair(M::Up, M::Down), "device"),
                    (keys.first_key(M::Mark), "mark"),
                    (keys.first_key(M::Open), "open cases"),
                    (keys.first_key(M::Refuse), "refuse"),
                    (keys.first_key(M::Ask), "ask"),
                    (keys.first_key(M::Close), "close"),
                    (keys.pair(M::PageUp, M::PageDown), "text"),
                ]
            }
            // Picking whose parcel to ship: Enter marks it rather than filters.
            Overlay::Resellers(picker) if picker.ready => {
                use super::action::SearchAction;
                vec![
                    (keys.pair(SearchAction::Up, SearchAction::Down), "pick"),
                    (keys.first_key(SearchAction::Show), "mark their parcel"),
                    (keys.first_key(SearchAction::Close), "close"),
                ]
            }
            _ => keys.hints(self.mode()),
        }
    }

    /// The overlay for a form.
    pub fn form(form: Form) -> Overlay {
        Overlay::Form(Box::new(form))
    }
}

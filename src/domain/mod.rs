//! Pure workshop rules: no SQLite, no terminal.

pub mod case;
pub mod clock;
pub mod event;
pub mod imei;
pub mod intake;
pub mod mailbox;
pub mod parcel;
pub mod rma;
pub mod sale;
pub mod stage;
pub mod text;
pub mod time;
pub mod tracking;
pub mod warranty;

pub use case::{BeforeMove, Case, Change, Edit, Event, Note, Plan};
pub use clock::Clocks;
pub use event::{EventField, EventKind};
pub use imei::Imei;
pub use rma::RmaNumber;
pub use sale::Sale;
pub use stage::{Outcome, Stage};
pub use tracking::{S10, TrackingNumber};
pub use warranty::{Category, Part, Verdict, VoidReason};

//! The forms a move or an edit needs, validated as the user types with the same parsers
//! and messages as the command line. Their keys are read in `overlay::form`.

use chrono::{DateTime, Utc};

use super::input::TextInput;
use super::protocol::{AnswerJob, Effect, Target};
use crate::domain::case::{self, AdmitError, CaseError, Change, Edit, OpenError, Patch};
use crate::domain::intake::{Answered, RefusalReason};
use crate::domain::text::{self, MAX_FAULT, MAX_NOTE, MAX_SHORT};
use crate::domain::warranty::{Assessment, Part, VoidReason};
use crate::domain::{Imei, S10, TrackingNumber};
use crate::store::{NewCase, Reply};

/// What a form field takes, which decides how it is checked as the user types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// An IMEI, checked (check digit included) as typed.
    Imei,
    /// A China Post S10 tracking number, check digit included.
    S10,
    /// An inbound tracking number from any carrier; may be left empty.
    Tracking,
    /// One line of text; `required` refuses it empty.
    Line {
        /// The field's name in the messages ("manufacturer reference").
        name: &'static str,
        /// The most characters it may hold.
        max: usize,
        /// Whether it may be left empty.
        required: bool,
    },
    /// Several lines (Enter starts a new line).
    Text {
        /// The field's name in the messages ("inspection note").
        name: &'static str,
        /// The most characters it may hold.
        max: usize,
    },
    /// One of a fixed list (a part, a void reason).
    Choice {
        /// The options as shown.
        options: Vec<String>,
    },
}

/// One field of a form: its label, what it takes and what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The label shown beside it.
    pub label: &'static str,
    /// What it takes.
    pub kind: FieldKind,
    /// What was typed so far.
    pub input: TextInput,
    /// For a choice field, the index of the option picked.
    pub choice: usize,
    /// Typed into: its error is shown while typing.
    pub touched: bool,
}

impl Field {
    fn new(label: &'static str, kind: FieldKind) -> Field {
        Field {
            label,
            kind,
            input: TextInput::default(),
            choice: 0,
            touched: false,
        }
    }

    fn filled(mut self, text: &str) -> Field {
        self.input = TextInput::with_text(text);
        self
    }

    /// Whether characters are typed into it (not a list): a scan goes here.
    pub fn takes_text(&self) -> bool {
        !matches!(self.kind, FieldKind::Choice { .. })
    }

    /// Whether Enter starts a new line here rather than submitting.
    pub fn multiline(&self) -> bool {
        matches!(self.kind, FieldKind::Text { .. })
    }

    /// The text as typed.
    pub fn value(&self) -> &str {
        self.input.text()
    }

    /// What is wrong with the value, in the CLI's words.
    pub fn problem(&self) -> Option<String> {
        let v = self.value();
        match &self.kind {
            FieldKind::Imei => Imei::parse(v).err().map(|e| e.to_string()),
            FieldKind::S10 => S10::parse(v).err().map(|e| e.to_string()),
            FieldKind::Tracking if v.trim().is_empty() => None,
            FieldKind::Tracking => TrackingNumber::parse(v).err().map(|e| e.to_string()),
            FieldKind::Line {
                required: false, ..
            } if v.trim().is_empty() => None,
            FieldKind::Line { name, max, .. } => text::required_line(name, v, *max)
                .err()
                .map(|e| e.to_string()),
            FieldKind::Text { name, max } => text::required_text(name, v, *max)
                .err()
                .map(|e| e.to_string()),
            FieldKind::Choice { .. } => None,
        }
    }
}

/// Which form it is, with the case (or message) it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    /// Send to the manufacturer: asks the manufacturer reference.
    Send(Target),
    /// A failed inspection: asks what is still wrong.
    InspectFail(Target),
    /// Ship back: asks the China Post S10 number.
    Ship(Target),
    /// Void: asks the reason and a note.
    Void(Target),
    /// Correct a case's fields; holds the values as they were, to tell what changed.
    Edit {
        /// The case.
        target: Target,
        /// The fault description before the edit.
        fault: String,
        /// The inbound tracking number before the edit (empty if none).
        tracking_in: String,
        /// The manufacturer reference before the edit (empty if none).
        manufacturer_ref: String,
    },
    /// Add a repair note.
    Note(Target),
    /// Take a waiting message out of the outbox for good.
    DropMessage {
        /// The message's number in the outbox.
        id: i64,
        /// The case the message is about, for the title.
        rma: String,
    },
    /// Refuse a request (a customer's mail) with the policy's reason.
    Refuse {
        /// The request's number.
        id: i64,
        /// Its first answer when the user looked (`None`: unanswered).
        seen: Option<Answered>,
    },
    /// Ask the customer a question about a request; it stays open.
    Ask {
        /// The request's number.
        id: i64,
        /// Its first answer when the user looked (`None`: unanswered).
        seen: Option<Answered>,
    },
    /// Open a case for every line of a reseller's request file.
    OpenBatch,
    /// Open a new case; the verdict is shown before saving.
    NewCase {
        /// The verdict for the IMEI and part as typed, once the IMEI is valid.
        verdict: Option<(Imei, Part, Result<Assessment, String>)>,
        /// The device's case not yet shipped, said before saving: "RMA-… (in received)".
        open_case: Option<String>,
    },
}

/// A form on the board: its fields, which one has the focus, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Which form, and what it is about.
    pub kind: FormKind,
    /// The fields, top to bottom.
    pub fields: Vec<Field>,
    /// The index of the field being typed into.
    pub focus: usize,
    /// Refusal of the whole form (by the store, or a missing override).
    pub error: Option<String>,
    /// Submitted once: show every field's problem, typed into or not.
    pub tried: bool,
}

const NEW_IMEI: usize = 0;
const NEW_PART: usize = 1;
const NEW_FAULT: usize = 2;
const NEW_TRACKING: usize = 3;
const NEW_OVERRIDE: usize = 4;

impl Form {
    fn with(kind: FormKind, fields: Vec<Field>) -> Form {
        Form {
            kind,
            fields,
            focus: 0,
            error: None,
            tried: false,
        }
    }

    /// The form for sending a case to the manufacturer.
    pub fn send(t: Target) -> Form {
        let f = Field::new(
            "Manufacturer reference",
            FieldKind::Line {
                name: "manufacturer reference",
                max: MAX_SHORT,
                required: true,
            },
        );
        Form::with(FormKind::Send(t), vec![f])
    }

    /// The form for a failed inspection.
    pub fn inspect_fail(t: Target) -> Form {
        let f = Field::new(
            "What is still wrong",
            FieldKind::Text {
                name: "inspection note",
                max: MAX_NOTE,
            },
        );
        Form::with(FormKind::InspectFail(t), vec![f])
    }

    /// The form for shipping a case back by China Post.
    pub fn ship(t: Target) -> Form {
        Form::with(
            FormKind::Ship(t),
            vec![Field::new(
                "China Post tracking number (S10)",
                FieldKind::S10,
            )],
        )
    }

    /// The form for a reseller's request file: the path of a CSV with the columns `imei,
    /// fault` (and optionally `part, claimed_at, tracking_in`), as `open --batch` reads it.
    pub fn open_batch() -> Form {
        Form::with(
            FormKind::OpenBatch,
            vec![Field::new(
                "Request file (CSV: imei, fault; part, claimed_at, tracking_in)",
                FieldKind::Line {
                    name: "request file",
                    max: 4096,
                    required: true,
                },
            )],
        )
    }

    /// The form for voiding a case's warranty.
    pub fn void(t: Target) -> Form {
        let reasons = VoidReason::ALL
            .iter()
            .map(|r| r.describe().to_string())
            .collect();
        Form::with(
            FormKind::Void(t),
            vec![
                Field::new("Reason", FieldKind::Choice { options: reasons }),
                Field::new(
                    "Note",
                    FieldKind::Text {
                        name: "void note",
                        max: MAX_NOTE,
                    },
                ),
            ],
        )
    }

    /// The new-case form's early word on a device still in the workshop.
    pub fn open_case_warning(&self) -> Option<String> {
        match &self.kind {
            FormKind::NewCase {
                open_case: Some(open),
                ..
            } => Some(already_open(open)),
            _ => None,
        }
    }

    /// The form for dropping message `id` about `rma` from the outbox.
    pub fn drop_message(id: i64, rma: &str) -> Form {
        let f = Field::new(
            "Why it will not be sent (kept with the message)",
            FieldKind::Line {
                name: "reason",
                max: MAX_SHORT,
                required: true,
            },
        );
        Form::with(
            FormKind::DropMessage {
                id,
                rma: rma.to_string(),
            },
            vec![f],
        )
    }

    /// The form for refusing request `id`: one of the policy's reasons.
    pub fn refuse(id: i64, seen: Option<Answered>) -> Form {
        let reasons = RefusalReason::ALL
            .iter()
            .map(|r| format!("{}: {}", r.as_str(), r.describe()))
            .collect();
        Form::with(
            FormKind::Refuse { id, seen },
            vec![Field::new(
                "Reason (the refusal quotes the policy)",
                FieldKind::Choice { options: reasons },
            )],
        )
    }

    /// The form for asking the customer of request `id` a question.
    pub fn ask(id: i64, seen: Option<Answered>) -> Form {
        Form::with(
            FormKind::Ask { id, seen },
            vec![Field::new(
                "Question to the customer",
                FieldKind::Text {
                    name: "question",
                    max: MAX_NOTE,
                },
            )],
        )
    }

    /// The form for a repair note.
    pub fn note(t: Target) -> Form {
        Form::with(
            FormKind::Note(t),
            vec![Field::new(
                "Note",
                FieldKind::Text {
                    name: "note",
                    max: MAX_NOTE,
                },
            )],
        )
    }

    /// The form for correcting a case's fields, filled with their current values.
    pub fn edit(t: Target, fault: &str, tracking_in: &str, manufacturer_ref: &str) -> Form {
        let fields = vec![
            Field::new(
                "Fault",
                FieldKind::Line {
                    name: "fault",
                    max: MAX_FAULT,
                    required: true,
                },
            )
            .filled(fault),
            Field::new("Inbound tracking number", FieldKind::Tracking).filled(tracking_in),
            Field::new(
                "Manufacturer reference",
                FieldKind::Line {
                    name: "manufacturer reference",
                    max: MAX_SHORT,
                    required: false,
                },
            )
            .filled(manufacturer_ref),
        ];
        Form::with(
            FormKind::Edit {
                target: t,
                fault: fault.to_string(),
                tracking_in: tracking_in.to_string(),
                manufacturer_ref: manufacturer_ref.to_string(),
            },
            fields,
        )
    }

    /// The empty new-case form.
    pub fn new_case() -> Form {
        let parts = Part::ALL.iter().map(|p| p.as_str().to_string()).collect();
        Form::with(
            FormKind::NewCase {
                verdict: None,
                open_case: None,
            },
            vec![
                Field::new("IMEI", FieldKind::Imei),
                Field::new("Faulty part", FieldKind::Choice { options: parts }),
                Field::new(
                    "Fault (customer's words)",
                    FieldKind::Line {
                        name: "fault",
                        max: MAX_FAULT,
                        required: true,
                    },
                ),
                Field::new("Inbound tracking (optional)", FieldKind::Tracking),
                Field::new(
                    "Goodwill override reason",
                    FieldKind::Line {
                        name: "override reason",
                        max: MAX_SHORT * 4,
                        required: false,
                    },
                ),
            ],
        )
    }

    /// The new-case form for a device in hand: its IMEI filled in, the fault next.
    pub fn new_case_for(imei: &Imei) -> Form {
        let mut form = Form::new_case();
        if let Some(field) = form.fields.get_mut(NEW_IMEI) {
            field.input = TextInput::with_text(imei.as_str());
        }
        form.focus = NEW_FAULT;
        form
    }

    /// The title on the form's box, naming the case or message it is about.
    pub fn title(&self) -> String {
        match &self.kind {
            FormKind::Send(t) => format!("Send {} to the manufacturer", t.rma),
            FormKind::InspectFail(t) => format!("{}: inspection failed", t.rma),
            FormKind::Ship(t) => format!("Ship {} back to the customer", t.rma),
            FormKind::Void(t) => format!("{}: void, return unrepaired", t.rma),
            FormKind::Edit { target, .. } => format!("Edit {}", target.rma),
            FormKind::Note(t) => format!("Note on {}", t.rma),
            FormKind::DropMessage { id, rma } => format!("Drop message {id} ({rma})"),
            FormKind::NewCase { .. } => "New case".to_string(),
            FormKind::Refuse { id, .. } => format!("Refuse request {id}"),
            FormKind::Ask { id, .. } => format!("Ask about request {id}"),
            FormKind::OpenBatch => "Open a reseller's request file".to_string(),
        }
    }

    /// The field being typed into.
    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Whether a field's problem should be shown now.
    pub fn shows_problem(&self, i: usize) -> Option<String> {
        let f = self.fields.get(i)?;
        let typed = f.touched && !f.value().trim().is_empty();
        if self.tried || typed {
            f.problem()
        } else {
            None
        }
    }

    /// The IMEI and part to assess, when the new-case form has a valid IMEI that has no
    /// verdict yet.
    pub fn wants_assessment(&self) -> Option<(Imei, Part)> {
        let FormKind::NewCase { verdict, .. } = &self.kind else {
            return None;
        };
        let imei = Imei::parse(self.fields.get(NEW_IMEI)?.value()).ok()?;
        let part = Part::ALL.get(self.fields.get(NEW_PART)?.choice).copied()?;
        match verdict {
            Some((i, p, _)) if *i == imei && *p == part => None,
            _ => Some((imei, part)),
        }
    }

    /// Check every field and build the store request, or say what is wrong (and put the
    /// focus on it).
    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<Effect, String> {
        self.tried = true;
        if let Some((i, problem)) = self
            .fields
            .iter()
            .enumerate()
            .find_map(|(i, f)| f.problem().map(|p| (i, p)))
        {
            self.focus = i;
            return Err(problem);
        }
        let v = |i: usize| {
            self.fields
                .get(i)
                .map(|f| f.value().to_string())
                .unwrap_or_default()
        };
        let apply = |t: &Target, change: Change, done: String| Effect::Apply {
            target: t.clone(),
            change,
            done,
        };
        Ok(match &self.kind {
            FormKind::Send(t) => apply(
                t,
                Change::Send {
                    manufacturer_ref: v(0),
                },
                format!("{} sent to the manufacturer.", t.rma),
            ),
            FormKind::InspectFail(t) => apply(
                t,
                Change::InspectFail { note: v(0) },
                format!(
                    "{} failed inspection and is back at the manufacturer.",
                    t.rma
                ),
            ),
            FormKind::Ship(t) => {
                let tracking = S10::parse(&v(0)).map_err(|e| e.to_string())?;
                let mut done = format!("{} shipped with {tracking}.", t.rma);
                if let Some(warning) = tracking.untracked_warning() {
                    done = format!("{done} Warning: {warning}.");
                }
                apply(t, Change::Ship { tracking }, done)
            }
            FormKind::Void(t) => {
                let choice = self.fields.first().map_or(0, |f| f.choice);
                let reason = VoidReason::ALL
                    .get(choice)
                    .copied()
                    .unwrap_or(VoidReason::Dropped);
                apply(
                    t,
                    Change::Void { reason, note: v(1) },
                    format!("{} recorded as void ({}).", t.rma, reason.describe()),
                )
            }
            FormKind::Note(t) => Effect::AddNote {
                target: t.clone(),
                text: v(0),
            },
            FormKind::Edit {
                target,
                fault,
                tracking_in,
                manufacturer_ref,
            } => {
                let changed = |i: usize, before: &str| {
                    let now = v(i);
                    (now.trim() != before.trim() && !now.trim().is_empty()).then_some(now)
                };
                let emptied =
                    |i: usize, before: &str| v(i).trim().is_empty() && !before.trim().is_empty();
                if emptied(2, manufacturer_ref) {
                    self.focus = 2;
                    return Err(
                        "The manufacturer reference cannot be emptied: correct it instead, or Esc to cancel the edit."
                            .to_string(),
                    );
                }
                let tracking = if emptied(1, tracking_in) {
                    Patch::Clear
                } else {
                    match changed(1, tracking_in) {
                        Some(t) => {
                            Patch::Set(TrackingNumber::parse(&t).map_err(|e| e.to_string())?)
                        }
                        None => Patch::Keep,
                    }
                };
                let edit = Edit {
                    fault: changed(0, fault),
                    tracking_in: tracking,
                    manufacturer_ref: changed(2, manufacturer_ref),
                };
                if edit == Edit::default() {
                    return Err(CaseError::NothingToEdit.to_string());
                }
                apply(
                    target,
                    Change::Edit(edit),
                    format!("{} edited.", target.rma),
                )
            }
            FormKind::DropMessage { id, .. } => Effect::DropMessage {
                id: *id,
                reason: v(0),
            },
            FormKind::Refuse { id, seen } => {
                let choice = self.fields.first().map_or(0, |f| f.choice);
                let reason = RefusalReason::ALL
                    .get(choice)
                    .copied()
                    .unwrap_or(RefusalReason::NotSoldByUs);
                Effect::AnswerRequest(Box::new(AnswerJob {
                    id: *id,
                    reply: Reply::Refuse(reason),
                    seen: seen.clone(),
                }))
            }
            FormKind::Ask { id, seen } => Effect::AnswerRequest(Box::new(AnswerJob {
                id: *id,
                reply: Reply::Ask(v(0)),
                seen: seen.clone(),
            })),
            FormKind::OpenBatch => Effect::OpenBatch(std::path::PathBuf::from(v(0).trim())),
            FormKind::NewCase { verdict, open_case } => {
                let imei = Imei::parse(&v(NEW_IMEI)).map_err(|e| e.to_string())?;
                if let (Some(open), Some((assessed, _, _))) = (open_case, verdict)
                    && *assessed == imei
                {
                    self.focus = NEW_IMEI;
                    return Err(already_open(open));
                }
                let part = self
                    .fields
                    .get(NEW_PART)
                    .and_then(|f| Part::ALL.get(f.choice))
                    .copied()
                    .unwrap_or(Part::Device);
                let override_reason = Some(v(NEW_OVERRIDE)).filter(|s| !s.trim().is_empty());
                // Said before saving, as the store would refuse it. Any other refusal
                // (not sold by us, a bad reason) comes back from the store itself.
                if let Some((_, _, Ok(a))) = verdict
                    && let Err(AdmitError::Open(refusal @ OpenError::Refused { .. })) =
                        case::admit(&imei, a, override_reason.as_deref())
                {
                    self.focus = NEW_OVERRIDE;
                    return Err(super::hints::goodwill_needed(&refusal));
                }
                let tracking = v(NEW_TRACKING);
                Effect::OpenCase(Box::new(NewCase {
                    imei,
                    fault: v(NEW_FAULT),
                    part,
                    claimed_at: now,
                    tracking_in: Some(tracking)
                        .filter(|t| !t.trim().is_empty())
                        .map(|t| TrackingNumber::parse(&t))
                        .transpose()
                        .map_err(|e| e.to_string())?,
                    override_reason,
                }))
            }
        })
    }
}

/// `open` as said by the store's lookup: "RMA-… (in Received)".
fn already_open(open: &str) -> String {
    format!(
        "This device already has {open}, not shipped yet: add a note to that case instead of opening another."
    )
}

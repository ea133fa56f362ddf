//! The keys of a form (`tui::form` holds the fields and their checks): what can be typed
//! goes into the focused field, the form's own keys come from the key map, and saving
//! hands the store request to the app. The store's answers come back here too.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Ctx, Outcome};
use crate::domain::Imei;
use crate::domain::warranty::{Assessment, Part};
use crate::tui::action::FormAction;
use crate::tui::form::{Field, FieldKind, Form, FormKind};
use crate::tui::protocol::Effect;

impl Form {
    /// Read a key: type into the field, move between fields, save or cancel.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        let action = match self.focused() {
            Some(field) if field.claims(key) => None,
            _ => cx.keys.action::<FormAction>(key),
        };
        let n = self.fields.len().max(1);
        let save = match action {
            Some(FormAction::Cancel) => return Outcome::close().say("Nothing was changed."),
            Some(FormAction::Save) => true,
            Some(FormAction::NextField) => {
                self.focus = (self.focus + 1) % n;
                false
            }
            Some(FormAction::PreviousField) => {
                self.focus = (self.focus + n - 1) % n;
                false
            }
            Some(FormAction::NextOrSave) if self.focus + 1 >= n => true,
            Some(FormAction::NextOrSave) => {
                self.focus += 1;
                false
            }
            None => {
                self.edit_field(key);
                false
            }
        };
        let mut fx = Vec::new();
        if save {
            match self.submit(cx.now) {
                Ok(effect) => fx.push(effect),
                // A field's problem is said under that field, once.
                Err(problem) => {
                    let under_field =
                        (0..n).any(|i| self.shows_problem(i).as_deref() == Some(problem.as_str()));
                    if !under_field {
                        self.error = Some(problem);
                    }
                }
            }
        }
        if let Some((imei, part)) = self.wants_assessment() {
            fx.push(Effect::Assess {
                imei,
                part,
                on: cx.today,
            });
        }
        Outcome::stay().run(fx)
    }

    /// A key for the focused field itself.
    fn edit_field(&mut self, key: &KeyEvent) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        let multiline = field.multiline();
        match &field.kind {
            FieldKind::Choice { options } => {
                let m = options.len().max(1);
                match key.code {
                    KeyCode::Left => field.choice = (field.choice + m - 1) % m,
                    KeyCode::Right | KeyCode::Char(' ') => field.choice = (field.choice + 1) % m,
                    _ => {}
                }
            }
            _ => {
                if field.input.handle(key, multiline) {
                    field.touched = true;
                    self.error = None;
                }
            }
        }
    }

    /// The verdict for the IMEI and part typed into the new-case form, and the device's
    /// case not yet shipped if it has one.
    pub fn assessed(
        &mut self,
        imei: Imei,
        part: Part,
        result: Result<Assessment, String>,
        open_case: Option<String>,
    ) {
        if let FormKind::NewCase {
            verdict,
            open_case: open,
        } = &mut self.kind
        {
            *verdict = Some((imei, part, result));
            *open = open_case;
        }
    }
}

impl Field {
    /// Keys the field keeps for itself, whatever the key map says: what it types and its
    /// cursor keys; on a list, ←/→ and Space, which choose.
    pub fn claims(&self, key: &KeyEvent) -> bool {
        match self.kind {
            FieldKind::Choice { .. } => {
                !key.modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && matches!(
                        key.code,
                        KeyCode::Left | KeyCode::Right | KeyCode::Char(' ')
                    )
            }
            _ => self.input.claims(key, self.multiline()),
        }
    }
}

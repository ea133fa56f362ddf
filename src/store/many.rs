//! One move on several cases (the board's marked cards): every case moves, or none does.
//! Each case goes through the same steps as [`Store::apply`], all in one `BEGIN
//! IMMEDIATE` transaction; a case that refuses does not stop the others from being
//! tried, so every refused case is named, and then nothing is saved.

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::cases::{Applied, apply_in, read_case};
use super::{Store, StoreError};
use crate::domain::case::{Case, Change};
use crate::paperwork::Settings;

/// One case that refused a move on several, and why.
#[derive(Debug)]
pub struct Refusal {
    /// The case's RMA number ("#id" when the case is not found).
    pub rma: String,
    /// Why it refused.
    pub error: StoreError,
}

/// Why a move on several cases saved nothing.
#[derive(Debug, Error)]
pub enum ManyError {
    /// These cases refused; the others could have moved, but nothing was saved.
    #[error("{}", refused_sentence(.0.iter().map(|r| (r.rma.clone(), r.error.to_string()))))]
    Refused(Vec<Refusal>),
    /// A parcel goes to one customer: the cases belong to several. Each RMA number with
    /// its customer number.
    #[error("{}", mixed_sentence(.0))]
    SeveralCustomers(Vec<(String, String)>),
    /// The store failed or refused as a whole (busy, read-only, no case given...).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ManyError {
    /// Someone else changed one of the cases first: what is shown is out of date.
    pub fn is_conflict(&self) -> bool {
        match self {
            ManyError::Refused(r) => r.iter().any(|r| r.error.is_conflict()),
            ManyError::SeveralCustomers(_) => false,
            ManyError::Store(e) => e.is_conflict(),
        }
    }

    /// The sentence, with each store error worded by `word` (a front end's own way out).
    pub fn into_sentence(self, word: &dyn Fn(StoreError) -> String) -> String {
        match self {
            ManyError::Refused(r) => {
                refused_sentence(r.into_iter().map(|r| (r.rma, word(r.error))))
            }
            ManyError::Store(e) => word(e),
            other => other.to_string(),
        }
    }
}

/// "2 cases refused, so nothing was saved for any case: RMA-… why. RMA-…: why."
fn refused_sentence(refusals: impl Iterator<Item = (String, String)>) -> String {
    let each: Vec<String> = refusals
        .map(|(rma, why)| {
            let why = why.trim_end_matches('.');
            // Most reasons already name the case.
            if why.contains(&rma) {
                format!("{why}.")
            } else {
                format!("{rma}: {why}.")
            }
        })
        .collect();
    format!(
        "{} refused, so nothing was saved for any case: {}",
        crate::domain::text::count(each.len() as u64, "case"),
        each.join(" ")
    )
}

fn mixed_sentence(cases: &[(String, String)]) -> String {
    let each: Vec<String> = cases
        .iter()
        .map(|(rma, customer)| format!("{rma} is {customer}'s"))
        .collect();
    format!(
        "One parcel goes to one customer, but {}; nothing was saved: ship each customer's cases in a parcel of their own",
        each.join(", ")
    )
}

impl Store {
    /// The cases with these row ids, as they are now; ids with no case are left out.
    pub fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<Case>, StoreError> {
        ids.iter()
            .filter_map(|&id| match read_case(&self.conn, id) {
                Err(StoreError::NotFound(_)) => None,
                other => Some(other),
            })
            .collect()
    }

    /// Apply the same change to every case in `cases` (row id, version as the caller saw
    /// it) in one transaction: all move, or none does and each refusing case is named.
    /// A ship sends every case in one parcel, so all must belong to one customer. The
    /// answers come in the order of `cases`.
    pub fn apply_many(
        &mut self,
        cases: &[(i64, i64)],
        change: &Change,
        author: &str,
        at: DateTime<Utc>,
        paperwork: &Settings,
    ) -> Result<Vec<Applied>, ManyError> {
        if cases.is_empty() {
            return Err(
                StoreError::Refused("no case was given, so nothing was moved".into()).into(),
            );
        }
        let tx = super::begin_write(&mut self.conn, self.read_only, self.gate.as_deref())?;
        let mut refused = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut shown = Vec::with_capacity(cases.len());
        for &(id, _) in cases {
            match read_case(&tx, id) {
                Ok(case) if !seen.insert(id) => refused.push(Refusal {
                    error: StoreError::Refused(format!(
                        "{} is given more than once: give each case once",
                        case.rma
                    )),
                    rma: case.rma.to_string(),
                }),
                Ok(case) => shown.push(case),
                Err(error @ StoreError::NotFound(_)) => refused.push(Refusal {
                    rma: format!("#{id}"),
                    error,
                }),
                Err(e) => return Err(e.into()),
            }
        }
        if !refused.is_empty() {
            return Err(ManyError::Refused(refused));
        }
        if matches!(change, Change::Ship { .. })
            && shown
                .iter()
                .any(|c| c.customer_number != shown[0].customer_number)
        {
            return Err(ManyError::SeveralCustomers(
                shown
                    .iter()
                    .map(|c| (c.rma.to_string(), c.customer_number.clone()))
                    .collect(),
            ));
        }
        let mut done = Vec::with_capacity(cases.len());
        for (&(id, version), case) in cases.iter().zip(&shown) {
            match apply_in(&tx, id, version, change.clone(), author, at, paperwork) {
                Ok(applied) => done.push(applied),
                // Database trouble stops everything at once; a case's own refusal
                // lets the others be tried, so each refusal can be named.
                Err(e) if is_about_the_case(&e) => refused.push(Refusal {
                    rma: case.rma.to_string(),
                    error: e,
                }),
                Err(e) => return Err(e.into()),
            }
        }
        if !refused.is_empty() {
            // Dropping the transaction rolls back what the others wrote.
            return Err(ManyError::Refused(refused));
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(done)
    }
}

/// A refusal that is about one case (its stage, its data, someone else's change), not
/// about the database.
fn is_about_the_case(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Conflict { .. }
            | StoreError::Case(_)
            | StoreError::ReopenWhileOpen { .. }
            | StoreError::AlreadyOpen { .. }
            | StoreError::NotFound(_)
            | StoreError::Refused(_)
            | StoreError::Text(_)
    )
}

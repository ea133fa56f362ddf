//! Cases: opening, staff actions (with the no-lost-update check), notes, lookups and the
//! board's windows.

use chrono::{DateTime, Datelike, Local, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::rows::{self, CASE_COLUMNS, CaseRow};
use super::sales::RowProblem;
use super::{Result, Store, StoreError};
use crate::domain::case::{
    self, AdmitError, Case, CaseDetail, Change, Event, Note, OpenError, Plan,
};
use crate::domain::parcel;
use crate::domain::text;
use crate::domain::time::{local_date, rfc3339};
use crate::domain::warranty::{self, Assessment, Part, Verdict};
use crate::domain::{
    Clocks, EventField, EventKind, Imei, Outcome, RmaNumber, Stage, TrackingNumber,
};
use crate::paperwork::{Bill, Settings};

/// What `open` needs.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// The device, validated.
    pub imei: Imei,
    /// The customer's description of the fault, as typed.
    pub fault: String,
    /// The part reported faulty.
    pub part: Part,
    /// When the customer claimed: the verdict is judged on this day.
    pub claimed_at: DateTime<Utc>,
    /// The inbound parcel's tracking number, if already known.
    pub tracking_in: Option<TrackingNumber>,
    /// Why to open it as goodwill although the verdict refuses it; `None` for no override.
    pub override_reason: Option<String>,
}

/// One staff action on one case, as the user saw the case (its version).
#[derive(Debug, Clone)]
pub struct Step {
    /// The case's row id.
    pub id: i64,
    /// The version the user saw; a case changed since is refused.
    pub version: i64,
    /// What to do to it.
    pub change: Change,
}

/// Choices that go with a move.
#[derive(Debug, Clone, Copy, Default)]
pub struct MoveOptions {
    /// Ship under an S10 number an earlier parcel already carried (the same parcel
    /// opened again and closed with more in it).
    pub reuse_tracking: bool,
}

/// What [`Store::apply_many`] did.
#[derive(Debug, Clone)]
pub struct AppliedMany {
    /// Each case as it was just before (under the write lock) and as it is now, in the
    /// order given.
    pub moved: Vec<(Case, Case)>,
    /// The bills issued for the parcels shipped, to be printed.
    pub bills: Vec<Bill>,
}

/// What [`Store::open_batch`] did.
#[derive(Debug, Clone, Default)]
pub struct OpenSummary {
    /// The cases opened, in the order of the rows; empty when any row was bad.
    pub opened: Vec<Case>,
    /// Every bad row, in file order; when there is one, nothing was opened.
    pub rejected: Vec<RowProblem>,
}

/// What [`Store::apply`] did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The case as it was just before, under the write lock.
    pub before: Case,
    /// The case as it is now.
    pub case: Case,
    /// The bill issued by this move (a ship in a new parcel), to be printed.
    pub bill: Option<Bill>,
}

/// `rmaboard list` filters.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only cases in this stage; `None` for every stage.
    pub stage: Option<Stage>,
    /// Only the cases of this customer (reseller) number; `None` for every customer.
    pub customer: Option<String>,
    /// Only cases late on their stage's clock.
    pub overdue: Option<(Clocks, DateTime<Utc>)>,
}

/// One pane's window on the board.
#[derive(Debug, Clone, Copy)]
pub struct PaneQuery {
    /// The pane's stage.
    pub stage: Stage,
    /// Shipped pane only: show shipments after this instant.
    pub shipped_after: Option<DateTime<Utc>>,
    /// Cases to skip from the top of the pane.
    pub offset: usize,
    /// The most cases to return (the pane's height).
    pub limit: usize,
}

fn t(at: DateTime<Utc>) -> String {
    rfc3339(at)
}

impl Store {
    /// The verdict for an IMEI claimed on a day, from the registry.
    pub fn assess(&self, imei: &Imei, on: NaiveDate, part: Part) -> Result<Assessment> {
        let sold = self.sale(imei)?.map(|s| s.sold_item());
        Ok(warranty::assess(sold, on, part, None)?)
    }

    /// Open a case in `expected`. Refused unless the verdict at the claim date allows it
    /// or an override (goodwill) is given; never for devices not sold by us.
    ///
    /// The RMA instructions are drafted into the outbox in the same transaction, worded
    /// by `paperwork`.
    pub fn open_case(
        &mut self,
        new: NewCase,
        author: &str,
        at: DateTime<Utc>,
        paperwork: &Settings,
    ) -> Result<Case> {
        // Said first: asking for a goodwill reason and then refusing anyway would waste
        // the user's time. Checked again under the write lock below.
        if let Some(open) = self.open_case_of(&new.imei)? {
            return Err(StoreError::AlreadyOpen {
                imei: new.imei.to_string(),
                rma: open.rma.to_string(),
                stage: open.stage.to_string(),
            });
        }
        let tx = super::begin_write(&mut self.conn, self.read_only, self.gate.as_deref())?;
        let case = insert_case(&tx, &new, author, at)?;
        super::paperwork::after_open(&tx, paperwork, std::slice::from_ref(&case), author, at)?;
        tx.commit()?;
        Ok(case)
    }

    /// Open a case for each request of a reseller's batch, in one transaction: all or
    /// nothing. Each row is a line number and the request, or what is wrong with the row.
    /// The device rules apply to each line (verdict, one case not yet shipped per device,
    /// sold by us), and a device named on two lines is a bad row; when any row is bad,
    /// nothing is opened and every bad row is reported. No goodwill overrides in a batch.
    ///
    /// The RMA instructions are drafted once per reseller, listing all of its new cases.
    pub fn open_batch(
        &mut self,
        rows: Vec<(u64, std::result::Result<NewCase, String>)>,
        author: &str,
        at: DateTime<Utc>,
        paperwork: &Settings,
    ) -> Result<OpenSummary> {
        let first_sale = self.first_sale_year()?;
        let tx = super::begin_write(&mut self.conn, self.read_only, self.gate.as_deref())?;
        let mut opened = Vec::with_capacity(rows.len());
        let mut rejected = Vec::new();
        let mut lines_of: std::collections::HashMap<Imei, u64> = Default::default();
        for (line, row) in rows {
            let mut reject = |message: String| rejected.push(RowProblem { line, message });
            let new = match row {
                Ok(new) => new,
                Err(message) => {
                    reject(message);
                    continue;
                }
            };
            if let Some(first) = lines_of.insert(new.imei.clone(), line) {
                lines_of.insert(new.imei.clone(), first);
                reject(format!(
                    "imei: {} is on line {first} too: one line per device",
                    new.imei
                ));
                continue;
            }
            if let Some(year) = first_sale
                && local_date(new.claimed_at).year() < year
            {
                reject(format!(
                    "claimed_at: {} is before the shop's first sale (in {year}): give the time it really happened",
                    local_date(new.claimed_at)
                ));
                continue;
            }
            match insert_case(&tx, &new, author, at) {
                Ok(case) => opened.push(case),
                // A batch has no goodwill overrides: such a device is opened on its own.
                Err(e @ StoreError::Admit(AdmitError::Open(OpenError::Refused { .. }))) => {
                    reject(format!(
                        "{}; leave it out of the file, or open it on its own as goodwill with an override reason",
                        e.problem().trim_end_matches('.')
                    ))
                }
                Err(e) if e.is_refusal() => reject(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        if !rejected.is_empty() {
            tx.rollback()?;
            return Ok(OpenSummary {
                opened: Vec::new(),
                rejected,
            });
        }
        super::paperwork::after_open(&tx, paperwork, &opened, author, at)?;
        tx.commit()?;
        Ok(OpenSummary { opened, rejected })
    }

    /// Apply a staff action to a case the caller read at `expected_version`. Refused
    /// with [`StoreError::Conflict`] if anyone changed the case since. A move that ships
    /// the case issues its bill and drafts the shipping notice in the same transaction,
    /// worded by `paperwork`.
    pub fn apply(
        &mut self,
        id: i64,
        expected_version: i64,
        change: Change,
        author: &str,
        at: DateTime<Utc>,
        paperwork: &Settings,
    ) -> Result<Applied> {
        let step = Step {
            id,
            version: expected_version,
            change,
        };
        let mut done =
            self.apply_many(vec![step], MoveOptions::default(), author, at, paperwork)?;
        let bill = done.bills.pop();
        let Some((before, case)) = done.moved.pop() else {
            return Err(StoreError::NotFound(format!("#{id}")));
        };
        Ok(Applied { before, case, bill })
    }

    /// Apply staff actions to several cases, each as the caller read it, in one
    /// transaction: if any case is refused or was changed by someone else since, nothing
    /// is saved and the error names every refusal ([`StoreError::Several`]; one step
    /// fails with its own error). Cases shipped under one S10 number go out as one
    /// parcel: one customer at one address, one bill and one shipping notice. An S10
    /// number another case already carries is refused unless `options` allow it or the
    /// cases are shipped again in the parcel they had (a move back undone).
    pub fn apply_many(
        &mut self,
        steps: Vec<Step>,
        options: MoveOptions,
        author: &str,
        at: DateTime<Utc>,
        paperwork: &Settings,
    ) -> Result<AppliedMany> {
        let total = steps.len();
        let tx = super::begin_write(&mut self.conn, self.read_only, self.gate.as_deref())?;
        // Several cases moved by one command are undone as one: their events carry the
        // id of the first event the command writes.
        let batch = if total > 1 {
            Some(
                tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM events", [], |r| {
                    r.get::<_, i64>(0)
                })?,
            )
        } else {
            None
        };
        let mut refused = Vec::new();
        let mut moved: Vec<(Case, Case)> = Vec::with_capacity(total);
        // New S10 numbers given now, with the cases they ship, in the order given.
        let mut parcels: Vec<(String, Vec<usize>)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for step in steps {
            if !seen.insert(step.id) {
                let rma = read_case(&tx, step.id)?.rma;
                refused.push(StoreError::Refused(format!(
                    "{rma} is named twice; a case moves once per command: name it once"
                )));
                continue;
            }
            let tracking = match &step.change {
                Change::Ship { tracking } => Some(tracking.to_string()),
                _ => None,
            };
            let id = step.id;
            match apply_step(&tx, step, author, at, batch) {
                Ok(pair) => {
                    if let Some(t) = tracking {
                        match parcels.iter_mut().find(|(p, _)| *p == t) {
                            Some((_, members)) => members.push(moved.len()),
                            None => parcels.push((t, vec![moved.len()])),
                        }
                    }
                    moved.push(pair);
                }
                Err(e) if e.is_refusal() && total > 1 => {
                    let rma = read_case(&tx, id).map(|c| c.rma.to_string());
                    refused.push(match rma {
                        Ok(rma) => e.of_case(&rma),
                        Err(_) => e,
                    });
                }
                Err(e) if e.is_refusal() => refused.push(e),
                Err(e) => return Err(e),
            }
        }
        // A parcel refused as a whole is said alone: no case of it was at fault.
        let mut whole = Vec::new();
        if refused.is_empty() {
            for (tracking, members) in &parcels {
                let cases: Vec<&Case> = members.iter().map(|&i| &moved[i].1).collect();
                let before: Vec<&Case> = members.iter().map(|&i| &moved[i].0).collect();
                if let Err(e) = check_parcel(&tx, tracking, &before, &cases, options) {
                    if !e.is_refusal() {
                        return Err(e);
                    }
                    whole.push(e);
                }
            }
        }
        if !refused.is_empty() || !whole.is_empty() {
            tx.rollback()?;
            return Err(match (total, refused.len(), whole.len()) {
                (1, 1, 0) => refused.remove(0),
                (_, 0, 1) => whole.remove(0),
                _ => StoreError::Several {
                    refused: refused.into_iter().chain(whole).collect(),
                    total,
                },
            });
        }
        let bills = super::paperwork::after_apply(&tx, paperwork, &moved, author, at)?;
        tx.commit()?;
        Ok(AppliedMany { moved, bills })
    }

    /// Append a note. Notes never conflict (nothing is overwritten), but they bump the
    /// version so other terminals notice.
    pub fn add_note(
        &mut self,
        id: i64,
        note: &str,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<Case> {
        let note = text::required_text("note", note, text::MAX_NOTE)?;
        let tx = self.write()?;
        read_case(&tx, id)?;
        tx.execute(
            "INSERT INTO notes (case_id, at, author, text) VALUES (?1, ?2, ?3, ?4)",
            params![id, t(at), author, note],
        )?;
        tx.execute(
            "UPDATE cases SET version = version + 1, updated_at = ?2 WHERE id = ?1",
            params![id, t(at)],
        )?;
        let case = read_case(&tx, id)?;
        tx.commit()?;
        Ok(case)
    }

    /// The case with this row id.
    pub fn case_by_id(&self, id: i64) -> Result<Case> {
        read_case(&self.conn, id)
    }

    /// The case with this RMA number; `None` if there is none.
    pub fn case_by_rma(&self, rma: RmaNumber) -> Result<Option<Case>> {
        self.conn
            .query_row(
                &format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.rma = ?1"),
                [rma.to_string()],
                CaseRow::read,
            )
            .optional()?
            .map(CaseRow::into_case)
            .transpose()
    }

    /// Resolve what staff have in hand: an RMA number, an IMEI (its one case not yet
    /// shipped) or a tracking number (in or out).
    pub fn find(&self, key: &str) -> Result<Case> {
        let shown: String = text::clean_line(key).chars().take(40).collect();
        if RmaNumber::looks_like(key) {
            let rma = RmaNumber::parse(key).map_err(|_| StoreError::NotFound(shown.clone()))?;
            return self.case_by_rma(rma)?.ok_or(StoreError::NotFound(shown));
        }
        if let Ok(imei) = Imei::parse(key) {
            let all = self.cases_where("c.imei = ?1", imei.as_str())?;
            let open: Vec<&Case> = all.iter().filter(|c| c.stage != Stage::Shipped).collect();
            return match (open.as_slice(), all.as_slice()) {
                ([one], _) => Ok((*one).clone()),
                ([], [one]) => Ok(one.clone()),
                ([], []) => Err(StoreError::NotFound(shown)),
                ([], many) => Err(ambiguous(shown, many.iter())),
                (many, _) => Err(ambiguous(shown, many.iter().copied())),
            };
        }
        let looks_numeric = key
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
        if let Ok(tr) = TrackingNumber::parse(key) {
            let hits =
                self.cases_where("c.tracking_in = ?1 OR c.tracking_out = ?1", tr.as_str())?;
            let open: Vec<&Case> = hits.iter().filter(|c| c.stage != Stage::Shipped).collect();
            match (open.as_slice(), hits.as_slice()) {
                ([one], _) => return Ok((*one).clone()),
                ([], [one]) => return Ok(one.clone()),
                ([], []) => {}
                ([], many) => return Err(ambiguous(shown, many.iter())),
                (many, _) => return Err(ambiguous(shown, many.iter().copied())),
            }
        }
        // A number that is almost an IMEI deserves the IMEI's own explanation.
        let digits = key.chars().filter(char::is_ascii_digit).count();
        if looks_numeric
            && (14..=16).contains(&digits)
            && let Err(e) = Imei::parse(key)
        {
            return Err(StoreError::BadKey(format!(
                "no case has the number {shown}, and it is not a valid IMEI: {e}"
            )));
        }
        Err(StoreError::NotFound(shown))
    }

    /// The cases still expected under an inbound tracking number (a parcel that may hold
    /// several devices), in case order.
    pub fn expected_in_parcel(&self, tracking: &TrackingNumber) -> Result<Vec<Case>> {
        self.cases_where(
            "c.tracking_in = ?1 AND c.stage = 'expected'",
            tracking.as_str(),
        )
    }

    /// When the first case was opened, if there is one.
    pub fn first_case_opened(&self) -> Result<Option<DateTime<Utc>>> {
        let first: Option<String> =
            self.conn
                .query_row("SELECT min(opened_at) FROM cases", [], |r| r.get(0))?;
        first.map(|t| rows::time("cases.opened_at", &t)).transpose()
    }

    /// The device's case not yet shipped, if it has one (a device has at most one).
    pub fn open_case_of(&self, imei: &Imei) -> Result<Option<Case>> {
        Ok(self
            .cases_where("c.imei = ?1 AND c.stage <> 'shipped'", imei.as_str())?
            .into_iter()
            .next())
    }

    fn cases_where(&self, condition: &str, value: &str) -> Result<Vec<Case>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE {condition} ORDER BY c.id"
        ))?;
        let rows = stmt.query_map([value], CaseRow::read)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(CaseRow::into_case))
            .collect()
    }

    /// A case with its sale, notes and events.
    pub fn detail(&self, id: i64) -> Result<CaseDetail> {
        let case = self.case_by_id(id)?;
        let sale = self.sale(&case.imei)?;
        Ok(CaseDetail {
            notes: self.notes(id)?,
            events: self.events(id)?,
            attachments: self.case_attachments(id)?,
            case,
            sale,
        })
    }

    /// A case's repair notes, oldest first.
    pub fn notes(&self, id: i64) -> Result<Vec<Note>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT at, author, text FROM notes WHERE case_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([id], rows::note)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(rows::into_note))
            .collect()
    }

    /// A case's history, oldest first.
    pub fn events(&self, id: i64) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, author, kind, field, from_value, to_value FROM events
             WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], rows::event)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(rows::into_event))
            .collect()
    }

    /// Cases for `rmaboard list` and export, oldest first.
    pub fn list(&self, filter: ListFilter) -> Result<Vec<Case>> {
        let mut out = Vec::new();
        self.for_each_case(filter, &mut |c| {
            out.push(c);
            Ok(())
        })?;
        Ok(out)
    }

    /// Stream cases in RMA order without holding them all (export of a large store).
    pub fn for_each_case(
        &self,
        filter: ListFilter,
        f: &mut dyn FnMut(Case) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c
             WHERE (?1 IS NULL OR c.stage = ?1) AND (?2 IS NULL OR c.customer_number = ?2)
             ORDER BY c.id"
        ))?;
        let rows = stmt.query_map(
            params![filter.stage.map(Stage::as_str), filter.customer],
            CaseRow::read,
        )?;
        for row in rows {
            let case = row?.into_case()?;
            if let Some((clocks, now)) = filter.overdue
                && !clocks.is_late(case.stage, case.stage_since, now)
            {
                continue;
            }
            f(case)?;
        }
        Ok(())
    }

    /// Number of cases in each stage, in [`Stage::ALL`] order.
    pub fn stage_counts(&self) -> Result<[u64; 5]> {
        let mut counts = [0u64; 5];
        let mut stmt = self
            .conn
            .prepare_cached("SELECT count(*) FROM cases WHERE stage = ?1")?;
        for (i, stage) in Stage::ALL.iter().enumerate() {
            counts[i] = stmt.query_row([stage.as_str()], |r| r.get::<_, i64>(0))? as u64;
        }
        Ok(counts)
    }

    /// Cases in `stage` that are late on the clock.
    pub fn late_count(&self, stage: Stage, clocks: &Clocks, now: DateTime<Utc>) -> Result<u64> {
        let Some(cutoff) = clocks.late_before(stage, now) else {
            return Ok(0);
        };
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM cases WHERE stage = ?1 AND stage_since < ?2")?
            .query_row(params![stage.as_str(), t(cutoff)], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Shipments before `cutoff`: the Shipped pane says how many it does not show.
    pub fn shipped_before(&self, cutoff: DateTime<Utc>) -> Result<u64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM cases WHERE stage = 'shipped' AND stage_since < ?1",
            )?
            .query_row([t(cutoff)], |r| r.get::<_, i64>(0))? as u64)
    }

    /// A pane's visible window: oldest first (most urgent on top), except Shipped,
    /// which shows the latest shipments first.
    pub fn pane(&self, q: PaneQuery) -> Result<Vec<Case>> {
        let shipped = q.stage == Stage::Shipped;
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.stage = ?1 AND c.stage_since >= ?2
             ORDER BY c.stage_since {order}, c.id {order} LIMIT ?3 OFFSET ?4",
            order = if shipped { "DESC" } else { "ASC" }
        );
        let after = q
            .shipped_after
            .filter(|_| shipped)
            .map(t)
            .unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![q.stage.as_str(), after, q.limit as i64, q.offset as i64],
            CaseRow::read,
        )?;
        rows.map(|r| r.map_err(StoreError::from).and_then(CaseRow::into_case))
            .collect()
    }

    /// Search across RMA, IMEI, tracking numbers, manufacturer reference, model, fault,
    /// order and customer (number and name) and notes, case-insensitively. Newest cases
    /// first. `%` and `_` in the query match any text and any one character.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Case>> {
        // The index holds each text as typed and accent-folded: `zoe` finds "Zoë".
        let q = text::fold_for_search(&text::clean_line(query));
        if q.is_empty() {
            return Ok(Vec::new());
        }
        // No ESCAPE clause: with one, SQLite cannot use the trigram index.
        let pattern = format!("%{q}%");
        // Each side takes its newest matches: together they hold the newest cases.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c
             WHERE c.id IN (SELECT id FROM (SELECT rowid AS id FROM case_search
                                            WHERE text LIKE ?1 ORDER BY rowid DESC LIMIT ?2)
                            UNION
                            SELECT id FROM (SELECT DISTINCT case_id AS id FROM note_search
                                            WHERE text LIKE ?1 ORDER BY case_id DESC LIMIT ?2))
             ORDER BY c.id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![pattern, limit as i64], CaseRow::read)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(CaseRow::into_case))
            .collect()
    }

    /// The author's own last move as it was done: every case that one command moved
    /// together (marked cards, several keys, a parcel), in the order they were given, or
    /// the one case of a single move; empty when there is none. Each says whether its
    /// case has changed since. With `case`, the last move that case was part of.
    pub fn last_own_moves(&self, author: &str, case: Option<i64>) -> Result<Vec<OwnMove>> {
        let Some(row) = self.last_own_row(author, case)? else {
            return Ok(Vec::new());
        };
        let Some(batch) = row.batch else {
            return Ok(vec![self.own_move(author, row)?]);
        };
        // Each case's move in the batch is its last stage event there (a failed
        // inspection at the manufacturer: its new round).
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.case_id, e.from_value, e.to_value, e.at, e.kind, e.batch
             FROM events e
             WHERE e.id IN (SELECT max(id) FROM events
                            WHERE batch = ?1 AND author = ?2
                              AND (field = ?3 OR (field = ?4 AND kind = ?5))
                            GROUP BY case_id)
             ORDER BY e.id",
        )?;
        let rows = stmt
            .query_map(
                params![
                    batch,
                    author,
                    EventField::Stage.as_str(),
                    EventField::Rounds.as_str(),
                    EventKind::InspectFail.as_str(),
                ],
                OwnRow::read,
            )?
            .collect::<std::result::Result<Vec<OwnRow>, _>>()?;
        rows.into_iter()
            .map(|row| self.own_move(author, row))
            .collect()
    }

    /// The event of the author's own last move not undone since, on `case` or any.
    fn last_own_row(&self, author: &str, case: Option<i64>) -> Result<Option<OwnRow>> {
        // A failed inspection at the manufacturer leaves the stage as it is: its round
        // marks it instead.
        Ok(self
            .conn
            .query_row(
                "SELECT e.id, e.case_id, e.from_value, e.to_value, e.at, e.kind, e.batch
                 FROM events e
                 WHERE e.author = ?1 AND e.kind NOT IN (?3, ?4)
                   AND (e.field = ?2 OR (e.field = ?5 AND e.kind = ?6))
                   AND (?7 IS NULL OR e.case_id = ?7)
                   AND NOT EXISTS (SELECT 1 FROM events u
                                   WHERE u.case_id = e.case_id AND u.kind = ?4 AND u.id > e.id)
                 ORDER BY e.id DESC LIMIT 1",
                params![
                    author,
                    EventField::Stage.as_str(),
                    EventKind::Open.as_str(),
                    EventKind::Undo.as_str(),
                    EventField::Rounds.as_str(),
                    EventKind::InspectFail.as_str(),
                    case,
                ],
                OwnRow::read,
            )
            .optional()?
            .filter(|r| r.from.is_some() && r.to.is_some()))
    }

    /// The move one event of the author's records, and whether its case changed since.
    fn own_move(&self, author: &str, row: OwnRow) -> Result<OwnMove> {
        let OwnRow {
            event,
            case_id,
            from,
            to,
            at,
            kind,
            ..
        } = row;
        let kind = EventKind::parse(&kind);
        let before = match kind {
            EventKind::InspectFail => case::BeforeMove::default(),
            _ => self.before_move(case_id, event, &at, author, kind.clone())?,
        };
        // Later changes to where the case is or what became of it, and to the numbers
        // the undo gives back (a correction of the reference a send set, say; a field the
        // move did not set is left as it is, so its edit does not count); the events
        // written with the move itself (same time, author and kind) do not count.
        let given_back = |field: EventField, patch: &case::Patch<String>| {
            (*patch != case::Patch::Keep).then(|| field.as_str().to_string())
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT author, kind, at, field FROM events
             WHERE case_id = ?1 AND id > ?2
               AND field IN (?6, ?7, ?8, ?9, ?10, ?11, ?12)
               AND NOT (at = ?3 AND author = ?4 AND kind = ?5)
             ORDER BY id",
        )?;
        let later = stmt
            .query_map(
                params![
                    case_id,
                    event,
                    at,
                    author,
                    kind.as_str(),
                    EventField::Stage.as_str(),
                    EventField::Rounds.as_str(),
                    EventField::Outcome.as_str(),
                    EventField::Verdict.as_str(),
                    EventField::TrackingOut.as_str(),
                    given_back(EventField::TrackingIn, &before.tracking_in),
                    given_back(EventField::ManufacturerRef, &before.manufacturer_ref),
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?
            .collect::<std::result::Result<Vec<(String, String, String, String)>, _>>()?;
        let changed_since = first_standing_change(later);
        if kind == EventKind::InspectFail {
            let (before, now_in) = self.before_fail(case_id, event, &at, author)?;
            return Ok(OwnMove {
                case_id,
                from: before.stage,
                to: now_in,
                failed: Some(before),
                before: case::BeforeMove::default(),
                changed_since,
            });
        }
        let stage = |s: Option<String>| {
            let s = s.unwrap_or_default();
            Stage::parse(&s).map_err(|_| StoreError::bad_value("events.from_value", &s))
        };
        Ok(OwnMove {
            case_id,
            from: stage(from)?,
            to: stage(to)?,
            failed: None,
            before,
            changed_since,
        })
    }

    /// What the move logged up to event `last` (its stage event) cleared or replaced,
    /// read back from the events written with it, and the clock the case had before it.
    fn before_move(
        &self,
        case_id: i64,
        last: i64,
        at: &str,
        author: &str,
        kind: EventKind,
    ) -> Result<case::BeforeMove> {
        let mut before = case::BeforeMove::default();
        let mut first = last;
        for (id, field, from) in self.written_with(case_id, last, at, author, kind)? {
            first = first.min(id);
            let was = match from {
                Some(v) => case::Patch::Set(v),
                None => case::Patch::Clear,
            };
            match field {
                EventField::Outcome => {
                    before.outcome = match was {
                        case::Patch::Set(v) => case::Patch::Set(
                            Outcome::parse(&v)
                                .ok_or_else(|| StoreError::bad_value("events.from_value", &v))?,
                        ),
                        _ => case::Patch::Clear,
                    }
                }
                EventField::Verdict => {
                    if let case::Patch::Set(label) = was {
                        before.verdict = Some(self.verdict_before(case_id, &label)?);
                    }
                }
                EventField::TrackingIn => before.tracking_in = was,
                EventField::ManufacturerRef => before.manufacturer_ref = was,
                EventField::TrackingOut => before.tracking_out = was,
                _ => {}
            }
        }
        before.stage_since = self.clock_before(case_id, first)?;
        Ok(before)
    }

    /// The verdict logged as `label` (`covered`, `void:water_damage`...) with its
    /// sentence, which the log does not keep: the one the rules give the case's claim
    /// today, when they give that verdict (the sales registry may have changed since),
    /// else the verdict's own words without the guarantee's dates.
    fn verdict_before(&self, case_id: i64, label: &str) -> Result<(Verdict, String)> {
        let (name, detail) = match label.split_once(':') {
            Some((name, detail)) => (name, Some(detail)),
            None => (label, None),
        };
        let verdict = Verdict::from_parts(name, detail)
            .ok_or_else(|| StoreError::bad_value("events.from_value", label))?;
        let case = read_case(&self.conn, case_id)?;
        let sale = super::sales::sale_of(&self.conn, &case.imei)?;
        let assessed = warranty::assess(
            sale.as_ref().map(|s| s.sold_item()),
            local_date(case.claimed_at),
            case.part,
            None,
        )
        .ok()
        .filter(|a| a.verdict == verdict);
        let reason = match assessed {
            Some(a) => a.reason,
            None => verdict.undated_reason(),
        };
        Ok((verdict, reason))
    }

    /// The events (id, field, value before) one write logged on a case, ending with
    /// event `last`: one write logs its events in one transaction, so with consecutive
    /// ids, each field at most once, all with its time, author and kind.
    fn written_with(
        &self,
        case_id: i64,
        last: i64,
        at: &str,
        author: &str,
        kind: EventKind,
    ) -> Result<Vec<(i64, EventField, Option<String>)>> {
        // A write logs at most one event per field, and there are fewer than sixteen.
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, field, from_value FROM events
             WHERE id <= ?1 AND id >= ?1 - 16
               AND case_id = ?2 AND at = ?3 AND author = ?4 AND kind = ?5
             ORDER BY id DESC",
        )?;
        let rows = stmt
            .query_map(params![last, case_id, at, author, kind.as_str()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })?
            .collect::<std::result::Result<Vec<(i64, String, Option<String>)>, _>>()?;
        let mut written: Vec<(i64, EventField, Option<String>)> = Vec::new();
        for (id, field, from) in rows {
            let field = EventField::parse(&field);
            // Another write (with the same time, author and kind) ends it.
            if id != last - written.len() as i64 || written.iter().any(|(_, f, _)| *f == field) {
                break;
            }
            written.push((id, field, from));
        }
        Ok(written)
    }

    /// When the case had entered the stage it was in (or started its manufacturer round)
    /// just before event `first`: its stage changes and new rounds replayed in order, an
    /// undo giving back the clock the change it took back had replaced.
    fn clock_before(&self, case_id: i64, first: i64) -> Result<Option<DateTime<Utc>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, author, kind, field FROM events
             WHERE case_id = ?1 AND id < ?2
               AND (field = ?3 OR (field = ?4 AND kind IN (?5, ?6)))
             ORDER BY id",
        )?;
        let rows = stmt
            .query_map(
                params![
                    case_id,
                    first,
                    EventField::Stage.as_str(),
                    EventField::Rounds.as_str(),
                    EventKind::InspectFail.as_str(),
                    EventKind::Undo.as_str(),
                ],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut since: Option<String> = None;
        let mut replaced: Vec<Option<String>> = Vec::new();
        // One write logs each field at most once: its stage and round events go together.
        let mut last: Option<(String, String, String, Vec<String>)> = None;
        for (at, by, kind, field) in rows {
            if let Some((a, b, k, fields)) = &mut last
                && *a == at
                && *b == by
                && *k == kind
                && !fields.contains(&field)
            {
                fields.push(field);
                continue;
            }
            match EventKind::parse(&kind) {
                EventKind::Undo => {
                    if let Some(was) = replaced.pop() {
                        since = was;
                    }
                }
                _ => replaced.push(since.replace(at.clone())),
            }
            last = Some((at, by, kind, vec![field]));
        }
        since.map(|s| rows::time("events.at", &s)).transpose()
    }

    /// Where a case was before the failed inspection logged up to event `last`, and the
    /// stage that failure left it in, read back from the events written with it.
    fn before_fail(
        &self,
        case_id: i64,
        last: i64,
        at: &str,
        author: &str,
    ) -> Result<(case::BeforeFail, Stage)> {
        let current = read_case(&self.conn, case_id)?;
        // One failed inspection writes at most three events (outcome, rounds, stage),
        // in one transaction, so with consecutive ids.
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, field, from_value, to_value FROM events
             WHERE case_id = ?1 AND id <= ?2 AND id >= ?2 - 2
               AND at = ?3 AND author = ?4 AND kind = ?5
             ORDER BY id DESC",
        )?;
        type Row = (i64, String, Option<String>, Option<String>);
        let rows = stmt
            .query_map(
                params![case_id, last, at, author, EventKind::InspectFail.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?
            .collect::<std::result::Result<Vec<Row>, _>>()?;
        let mut before = case::BeforeFail {
            // At the manufacturer a failure keeps the stage and adds a round.
            stage: Stage::AtManufacturer,
            rounds: current.rounds,
            outcome: None,
            stage_since: current.opened_at,
        };
        let mut now_in = Stage::AtManufacturer;
        let mut first = last;
        let bad = |column: &'static str, v: &str| StoreError::bad_value(column, v);
        for (id, field, from, to) in rows {
            first = first.min(id);
            let from = from.unwrap_or_default();
            match EventField::parse(&field) {
                EventField::Stage => {
                    before.stage =
                        Stage::parse(&from).map_err(|_| bad("events.from_value", &from))?;
                    let to = to.unwrap_or_default();
                    now_in = Stage::parse(&to).map_err(|_| bad("events.to_value", &to))?;
                }
                EventField::Rounds => {
                    before.rounds = from.parse().map_err(|_| bad("events.from_value", &from))?;
                }
                EventField::Outcome => before.outcome = Outcome::parse(&from),
                _ => {}
            }
        }
        // The clock it had before the failure.
        if let Some(since) = self.clock_before(case_id, first)? {
            before.stage_since = since;
        }
        Ok((before, now_in))
    }

    /// Record that a board is open (for the "people working" count).
    pub fn heartbeat(&mut self, session: &str, author: &str, at: DateTime<Utc>) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO sessions (id, author, seen_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            params![session, author, t(at)],
        )?;
        // Forget boards not seen for a day.
        let stale = at - chrono::Duration::days(1);
        tx.execute("DELETE FROM sessions WHERE seen_at < ?1", [t(stale)])?;
        tx.commit()?;
        Ok(())
    }

    /// Forget a board's heartbeat when it closes, so it no longer counts as at work.
    pub fn end_session(&mut self, session: &str) -> Result<()> {
        let tx = self.write()?;
        tx.execute("DELETE FROM sessions WHERE id = ?1", [session])?;
        tx.commit()?;
        Ok(())
    }

    /// Distinct people with a board seen since `since`.
    pub fn people_working(&self, since: DateTime<Utc>) -> Result<u64> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(DISTINCT author) FROM sessions WHERE seen_at >= ?1")?
            .query_row([t(since)], |r| r.get::<_, i64>(0))? as u64)
    }
}

/// An event that may be a user's own last move.
struct OwnRow {
    event: i64,
    case_id: i64,
    from: Option<String>,
    to: Option<String>,
    at: String,
    kind: String,
    batch: Option<i64>,
}

impl OwnRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<OwnRow> {
        Ok(OwnRow {
            event: r.get(0)?,
            case_id: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            at: r.get(4)?,
            kind: r.get(5)?,
            batch: r.get(6)?,
        })
    }
}

/// The first later change to a case that still stands, from its events after a move
/// (author, kind, time, field, in order): a move someone took back since is no change.
/// An undo is only allowed while nothing was done after the move it takes back but
/// corrections of what it does not give back, so each undo takes back the last move still
/// standing; one with no move left before it undid the move itself, and counts.
fn first_standing_change(later: Vec<(String, String, String, String)>) -> Option<ChangedSince> {
    // One write logs at most one event per field, all with its time, author and kind.
    let mut actions: Vec<(String, String, String, Vec<String>)> = Vec::new();
    for (by, kind, at, field) in later {
        match actions.last_mut() {
            Some((b, k, a, fields))
                if *b == by && *k == kind && *a == at && !fields.contains(&field) =>
            {
                fields.push(field)
            }
            _ => actions.push((by, kind, at, vec![field])),
        }
    }
    let mut standing: Vec<ChangedSince> = Vec::new();
    for (by, kind, _, fields) in actions {
        let kind = EventKind::parse(&kind);
        // An undo takes back a move; a correction made after that move is none (it may
        // have touched a field that undo did not give back) and still stands.
        let undone = standing.iter().rposition(|c| c.kind != EventKind::Edit);
        if kind == EventKind::Undo
            && let Some(i) = undone
        {
            standing.remove(i);
            continue;
        }
        let undo = kind == EventKind::Undo;
        standing.push(ChangedSince {
            by,
            kind,
            fields: fields.iter().map(|f| EventField::parse(f)).collect(),
        });
        if undo {
            // Nothing taken back afterwards can hide that.
            break;
        }
    }
    standing.into_iter().next()
}

/// A change made to a case after a move, which undoing the move would throw away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedSince {
    /// Who made it.
    pub by: String,
    /// What they did.
    pub kind: EventKind,
    /// The fields it changed that the undo would move or give back, in the log's order.
    pub fields: Vec<EventField>,
}

/// A user's own last move, for undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnMove {
    /// The case's row id.
    pub case_id: i64,
    /// The stage the move started from.
    pub from: Stage,
    /// The stage it reached.
    pub to: Stage,
    /// For a failed inspection, where the case was before it.
    pub failed: Option<case::BeforeFail>,
    /// What the move cleared or replaced (the inspection result of a move out of
    /// inspected, the manufacturer reference of a send...), which its undo brings back.
    pub before: case::BeforeMove,
    /// Who changed the case after that move, and how, if anyone did.
    pub changed_since: Option<ChangedSince>,
}

impl OwnMove {
    /// The change that undoes the move.
    pub fn undo(&self) -> Change {
        match self.failed {
            Some(before) => Change::UndoFail(before),
            None => Change::UndoMove {
                to: self.from,
                before: self.before.clone(),
            },
        }
    }

    /// What the move did, after "Your last move": "took RMA-… to Received", "failed the
    /// inspection of RMA-…".
    pub fn describe(&self, rma: &RmaNumber) -> String {
        match self.failed {
            Some(_) => format!("failed the inspection of {rma}"),
            None => format!("took {rma} to {}", self.to.title()),
        }
    }
}

/// Open a case in `expected` inside the caller's write transaction: every check (open
/// already, sold by us, the verdict at the claim date, the fault) is made under the
/// write lock. Drafts no message: the caller decides which one goes out.
pub(super) fn insert_case(
    tx: &Transaction<'_>,
    new: &NewCase,
    author: &str,
    at: DateTime<Utc>,
) -> Result<Case> {
    let sale = tx
        .query_row(
            &format!("SELECT {} FROM sales WHERE imei = ?1", rows::SALE_COLUMNS),
            [new.imei.as_str()],
            rows::SaleRow::read,
        )
        .optional()?
        .map(rows::SaleRow::into_sale)
        .transpose()?;
    let assessment = warranty::assess(
        sale.as_ref().map(|s| s.sold_item()),
        local_date(new.claimed_at),
        new.part,
        None,
    )?;
    let goodwill = case::admit(&new.imei, &assessment, new.override_reason.as_deref())?;
    let fault = text::required_text("fault", &new.fault, text::MAX_FAULT)?;
    // admit() refuses a missing sale, so the sale is there.
    let Some(sale) = sale else {
        return Err(StoreError::NotFound(new.imei.to_string()));
    };
    // Checked under the write lock: two terminals opening the same device at once
    // cannot both get through.
    refuse_if_open(tx, new.imei.as_str(), None)?;
    let year = at.with_timezone(&Local).year();
    let seq: u32 = tx.query_row(
        "INSERT INTO rma_counters (year, last_seq) VALUES (?1, 1)
             ON CONFLICT (year) DO UPDATE SET last_seq = last_seq + 1
             RETURNING last_seq",
        [year],
        |r| r.get(0),
    )?;
    let rma = RmaNumber::new(year, seq).to_string();
    let now = t(at);
    tx.execute(
        "INSERT INTO cases (rma, imei, stage, verdict, verdict_detail, verdict_reason, goodwill,
                order_number, customer_number, model, fault, part, tracking_in, rounds,
                claimed_at, opened_at, stage_since, updated_at, version)
             VALUES (?1, ?2, 'expected', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0,
                ?13, ?14, ?14, ?14, 1)",
        params![
            rma,
            new.imei.as_str(),
            assessment.verdict.as_str(),
            assessment.verdict.detail(),
            assessment.reason,
            goodwill,
            sale.order_number,
            sale.customer_number,
            sale.model,
            fault,
            new.part.as_str(),
            new.tracking_in.as_ref().map(|t| t.as_str()),
            t(new.claimed_at),
            now,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let log = |field: EventField, to: Option<String>| {
        insert_event(
            tx,
            id,
            &now,
            author,
            &EventKind::Open,
            &field,
            None,
            to.as_deref(),
        )
    };
    log(EventField::Stage, Some(Stage::Expected.to_string()))?;
    log(
        EventField::Verdict,
        Some(case::verdict_label(assessment.verdict)),
    )?;
    if let Some(g) = &goodwill {
        log(EventField::Goodwill, Some(g.clone()))?;
    }
    if let Some(tr) = &new.tracking_in {
        log(EventField::TrackingIn, Some(tr.to_string()))?;
    }
    read_case(tx, id)
}

/// One step of [`Store::apply_many`], written in its transaction: the case before and
/// after.
fn apply_step(
    tx: &Transaction<'_>,
    step: Step,
    author: &str,
    at: DateTime<Utc>,
    batch: Option<i64>,
) -> Result<(Case, Case)> {
    let current = read_case(tx, step.id)?;
    if current.version != step.version {
        return Err(conflict(tx, &current)?);
    }
    let plan = case::plan(&current, step.change, at)?;
    if current.stage == Stage::Shipped && plan.case.stage != Stage::Shipped {
        // Taking a shipment back must not give the device a second open case.
        refuse_if_open(tx, current.imei.as_str(), Some(&current))?;
    }
    write_plan_in(tx, &current, &plan, author, at, batch)?;
    let case = read_case(tx, step.id)?;
    Ok((current, case))
}

/// The cases shipped now under `tracking` (each as it was before, and now) are one
/// parcel: one customer at one address. The S10 number must be new, unless every case
/// had it already (shipped again after a move back) or `options` allow reuse; with
/// reuse, the cases that carry it already count as part of the parcel.
fn check_parcel(
    tx: &Transaction<'_>,
    tracking: &str,
    before: &[&Case],
    cases: &[&Case],
    options: MoveOptions,
) -> Result<()> {
    let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
    let ids_json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c
         WHERE c.tracking_out = ?1 AND c.id NOT IN (SELECT value FROM json_each(?2))
         ORDER BY c.id"
    ))?;
    let earlier = stmt
        .query_map(params![tracking, ids_json], CaseRow::read)?
        .map(|r| r.map_err(StoreError::from).and_then(CaseRow::into_case))
        .collect::<Result<Vec<Case>>>()?;
    let same_parcel_again = before
        .iter()
        .all(|c| c.tracking_out.as_deref() == Some(tracking));
    if let Some(first) = earlier.first()
        && !same_parcel_again
        && !options.reuse_tracking
    {
        return Err(StoreError::TrackingUsed {
            tracking: tracking.to_string(),
            rma: first.rma.to_string(),
            on: if first.stage == Stage::Shipped {
                local_date(first.stage_since).to_string()
            } else {
                format!("{} (it was moved back since)", local_date(first.updated_at))
            },
        });
    }
    let all: Vec<&Case> = cases.iter().copied().chain(earlier.iter()).collect();
    let sales = all
        .iter()
        .map(|c| super::sales::sale_of(tx, &c.imei))
        .collect::<Result<Vec<_>>>()?;
    let items: Vec<(&Case, Option<&crate::domain::Sale>)> = all
        .iter()
        .copied()
        .zip(sales.iter().map(Option::as_ref))
        .collect();
    parcel::check(&items)?;
    Ok(())
}

/// A device has at most one case not yet shipped: refuse another.
fn refuse_if_open(tx: &Transaction<'_>, imei: &str, leaving: Option<&Case>) -> Result<()> {
    let open: Option<(String, String)> = tx
        .query_row(
            "SELECT rma, stage FROM cases
             WHERE imei = ?1 AND stage <> 'shipped' AND id IS NOT ?2
             ORDER BY id LIMIT 1",
            params![imei, leaving.map(|c| c.id)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match (open, leaving) {
        (None, _) => Ok(()),
        (Some((rma, stage)), None) => Err(StoreError::AlreadyOpen {
            imei: imei.to_string(),
            rma,
            stage,
        }),
        (Some((open, stage)), Some(case)) => Err(StoreError::ReopenWhileOpen {
            rma: case.rma.to_string(),
            imei: imei.to_string(),
            open,
            stage,
        }),
    }
}

fn ambiguous<'a>(key: String, cases: impl Iterator<Item = &'a Case>) -> StoreError {
    StoreError::Ambiguous {
        key,
        rmas: cases.map(|c| c.rma.to_string()).collect(),
    }
}

pub(super) fn read_case(conn: &rusqlite::Connection, id: i64) -> Result<Case> {
    conn.prepare_cached(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = ?1"
    ))?
    .query_row([id], CaseRow::read)
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("#{id}")))?
    .into_case()
}

/// Describe who changed a case since the caller read it.
fn conflict(tx: &Transaction<'_>, current: &Case) -> Result<StoreError> {
    let last: Option<(String, String)> = tx
        .query_row(
            "SELECT author, at FROM events WHERE case_id = ?1 ORDER BY id DESC LIMIT 1",
            [current.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (by, at) = last.unwrap_or_else(|| ("someone".into(), t(current.updated_at)));
    let at = rows::time("events.at", &at)
        .map(crate::domain::time::local_minutes)
        .unwrap_or(at);
    Ok(StoreError::Conflict {
        rma: current.rma.to_string(),
        by,
        at,
        stage: current.stage.to_string(),
    })
}

pub(super) fn write_plan(
    tx: &Transaction<'_>,
    before: &Case,
    plan: &Plan,
    author: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    write_plan_in(tx, before, plan, author, at, None)
}

/// [`write_plan`] as one step of a move of several cases: its events carry `batch`.
fn write_plan_in(
    tx: &Transaction<'_>,
    before: &Case,
    plan: &Plan,
    author: &str,
    at: DateTime<Utc>,
    batch: Option<i64>,
) -> Result<()> {
    let c = &plan.case;
    let now = t(at);
    let updated = tx.execute(
        "UPDATE cases SET stage = ?3, outcome = ?4, verdict = ?5, verdict_detail = ?6,
            verdict_reason = ?7, fault = ?8, tracking_in = ?9, manufacturer_ref = ?10,
            tracking_out = ?11, rounds = ?12, stage_since = ?13, updated_at = ?14,
            version = version + 1
         WHERE id = ?1 AND version = ?2",
        params![
            c.id,
            before.version,
            c.stage.as_str(),
            c.outcome.map(|o| o.as_str()),
            c.verdict.as_str(),
            c.verdict.detail(),
            c.verdict_reason,
            c.fault,
            c.tracking_in,
            c.manufacturer_ref,
            c.tracking_out,
            c.rounds,
            t(c.stage_since),
            now,
        ],
    )?;
    if updated != 1 {
        return Err(conflict(tx, before)?);
    }
    for ch in &plan.changes {
        insert_event_in(
            tx,
            batch,
            c.id,
            &now,
            author,
            &plan.kind,
            &ch.field,
            ch.from.as_deref(),
            ch.to.as_deref(),
        )?;
    }
    if let Some(note) = &plan.note {
        tx.execute(
            "INSERT INTO notes (case_id, at, author, text) VALUES (?1, ?2, ?3, ?4)",
            params![c.id, now, author, note],
        )?;
    }
    Ok(())
}

/// Log one change of one field of a case, made on its own (not as part of a move of
/// several cases).
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_event(
    tx: &Transaction<'_>,
    case_id: i64,
    at: &str,
    author: &str,
    kind: &EventKind,
    field: &EventField,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<()> {
    insert_event_in(tx, None, case_id, at, author, kind, field, from, to)
}

/// Log one change of one field of a case; `batch` ties together the events of one
/// command that moved several cases, so they are undone as one.
#[allow(clippy::too_many_arguments)]
fn insert_event_in(
    tx: &Transaction<'_>,
    batch: Option<i64>,
    case_id: i64,
    at: &str,
    author: &str,
    kind: &EventKind,
    field: &EventField,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (case_id, at, author, kind, field, from_value, to_value, batch)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        case_id,
        at,
        author,
        kind.as_str(),
        field.as_str(),
        from,
        to,
        batch
    ])?;
    Ok(())
}

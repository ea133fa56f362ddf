//! Reading CSV files with a header into validated rows: the shop's sales export, and a
//! reseller's RMA requests (`open --batch`). One reader does the CSV for both: line
//! numbers, quotes left open, rows too long, separators; each file kind only says which
//! columns it has and how a row becomes a value.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

use crate::domain::text;
use crate::domain::time::{parse_date, parse_time};
use crate::domain::{Category, Imei, Part, Sale, TrackingNumber};
use crate::store::{ImportSummary, NewCase, Store, StoreError};

/// The columns every sales file must have, in the names of its header line.
pub const REQUIRED: [&str; 6] = [
    "imei",
    "order_number",
    "customer_number",
    "model",
    "category",
    "dispatched_on",
];
/// The columns a sales file may have; the bill and messages use them.
pub const OPTIONAL: [&str; 5] = [
    "customer_name",
    "customer_email",
    "customer_address",
    "country",
    "customer_phone",
];

/// A kind of CSV file rmaboard reads: its columns, and how its rows are named in
/// sentences.
#[derive(Debug)]
pub struct Shape {
    /// The file, as a user knows it: "the sales CSV".
    pub file: &'static str,
    /// What one row holds, in "a {row} row is a few hundred bytes".
    pub row: &'static str,
    /// Why a line break inside a field is a bad row: "a sales registry has one sale per
    /// line".
    pub one_per_line: &'static str,
    /// The columns the header must name.
    pub required: &'static [&'static str],
    /// The columns it may name; others are ignored (and named).
    pub optional: &'static [&'static str],
}

/// The shop's sales export.
pub static SALES: Shape = Shape {
    file: "the sales file",
    row: "sales",
    one_per_line: "a sales registry has one sale per line",
    required: &REQUIRED,
    optional: &OPTIONAL,
};

/// A file whose shape is wrong: nothing is imported.
#[derive(Debug, Error)]
pub enum CsvError {
    /// The file is empty: no header line.
    #[error(
        "the file has no header line: the first line must name the columns {}",
        .0.required.join(", ")
    )]
    NoHeader(&'static Shape),
    /// The header lacks required columns; holds their names.
    #[error(
        "the header lacks the column{} {}: the first line must name {}{}",
        if .0.len() > 1 { "s" } else { "" },
        .0.join(", "),
        .1.required.join(", "),
        if .1.optional.is_empty() { String::new() } else { format!(" (and optionally {})", .1.optional.join(", ")) }
    )]
    MissingColumns(Vec<String>, &'static Shape),
    /// The header is one column holding the names split by another separator (a
    /// spreadsheet's export in a European locale); holds that separator.
    #[error(
        "the file is separated by {}, not commas: in the spreadsheet, save it as \"CSV (comma delimited)\" (LibreOffice: File > Save As, Text CSV, field delimiter `,`) and import that file",
        if *.0 == '\t' { "tabs".to_string() } else { format!("`{}`", .0) }
    )]
    WrongSeparator(char),
    /// The header names a column twice; holds its name.
    #[error("the header names the column {0} twice: remove one")]
    DuplicateColumn(String),
    /// The file could not be read as CSV; holds the reader's message.
    #[error("the file could not be read: {0}")]
    Read(String),
    /// A row past the length limit: not a file of this kind, or a quote left open.
    #[error(
        "line {line}: a row longer than {MAX_ROW_BYTES} bytes starts here (a {} row is a few hundred): check that this is {} and that no quote is left open",
        shape.row,
        shape.file
    )]
    RowTooLong {
        /// The line the row starts on.
        line: u64,
        /// The kind of file being read.
        shape: &'static Shape,
    },
}

/// The longest row accepted, in bytes: far more than any row we read, and what keeps a file
/// without line breaks (or with a quote left open) from filling the memory.
pub const MAX_ROW_BYTES: u64 = 64 * 1024;

/// Ignored column names listed by name; the rest are counted.
const NAMED_IGNORED: usize = 10;

/// Where each column of a [`Shape`] is in the file, in the shape's order.
struct Columns {
    required: Vec<usize>,
    optional: Vec<Option<usize>>,
}

fn header_columns(
    header: &csv::StringRecord,
    shape: &'static Shape,
) -> Result<(Columns, Vec<String>), CsvError> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    for n in names.iter().filter(|n| !n.is_empty()) {
        if !seen.insert(n.as_str()) {
            return Err(CsvError::DuplicateColumn(
                text::clean_line(n).chars().take(60).collect(),
            ));
        }
    }
    let find = |want: &str| names.iter().position(|n| n == want);
    let missing: Vec<String> = shape
        .required
        .iter()
        .filter(|r| find(r).is_none())
        .map(|r| r.to_string())
        .collect();
    if !missing.is_empty() {
        if let [only] = names.as_slice()
            && let Some(sep) = [';', '\t', '|']
                .into_iter()
                .find(|&c| only.split(c).any(|n| shape.required.contains(&n.trim())))
        {
            return Err(CsvError::WrongSeparator(sep));
        }
        return Err(CsvError::MissingColumns(missing, shape));
    }
    let required = shape
        .required
        .iter()
        .map(|r| find(r).unwrap_or(0))
        .collect();
    let optional = shape.optional.iter().map(|o| find(o)).collect();
    let ignored = names
        .iter()
        .filter(|n| !shape.required.contains(&n.as_str()) && !shape.optional.contains(&n.as_str()))
        .map(|n| text::clean_line(n).chars().take(60).collect())
        .collect();
    Ok((Columns { required, optional }, ignored))
}

/// The ignored columns for people, in bounded length: the first few by name, then how
/// many more (a header of a million empty names is one short line).
pub fn describe_ignored(ignored: &[String]) -> String {
    let unnamed = ignored.iter().filter(|n| n.is_empty()).count();
    let named: Vec<&str> = ignored
        .iter()
        .filter(|n| !n.is_empty())
        .map(String::as_str)
        .collect();
    let mut parts: Vec<String> = named
        .iter()
        .take(NAMED_IGNORED)
        .map(|n| n.to_string())
        .collect();
    if named.len() > NAMED_IGNORED {
        parts.push(format!("and {} more", named.len() - NAMED_IGNORED));
    }
    match unnamed {
        0 => {}
        1 => parts.push("1 without a name".into()),
        n => parts.push(format!("{n} without a name")),
    }
    parts.join(", ")
}

/// Why a sales import stopped.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The file could not be opened.
    #[error("could not open {} {}: {source}", shape.file, path.display())]
    Open {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's error.
        source: std::io::Error,
        /// The kind of file.
        shape: &'static Shape,
    },
    /// The file's shape is wrong.
    #[error("{}: {source}", path.display())]
    Csv {
        /// The sales file.
        path: std::path::PathBuf,
        /// What is wrong.
        source: CsvError,
    },
    /// The file could not be copied aside before taking the lock (a full temporary
    /// folder, say).
    #[error(
        "could not keep a copy of {} {} while reading it ({source}): free some space in the temporary folder {}",
        shape.file,
        path.display(),
        std::env::temp_dir().display()
    )]
    Spool {
        /// The file being read.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
        /// The kind of file.
        shape: &'static Shape,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rows travel from the reading thread to the writing one in batches of this many.
const BATCH: usize = 1024;

/// The reading thread puts this many rows at a time in IMEI order before handing them
/// over (some 20 MB of sales).
const RUN: usize = 1 << 16;

/// Rows in IMEI order (rows in error first, rows of one IMEI in file order), in batches.
///
/// The registry is kept in IMEI order; a run of new sales inserted in that order walks
/// the table from one end to the other instead of jumping about it. Inserting a million
/// sales into the product's schema with the sqlite3 shell took 1.6-2.1 s of CPU in the
/// file's order, 1.5-1.7 s in runs of 65,536 put in order, 1.2-1.5 s all in order (a
/// loaded 2-core VM). All in order would hold the whole file in memory and keep the
/// writer waiting until the last row is read; runs of 262,144 were no faster than these.
/// What the import reports does not change: a duplicate IMEI is still met after its
/// earlier line, and the rows refused are listed in file order.
fn in_imei_order(run: Vec<(u64, Result<Sale, String>)>) -> Vec<Vec<(u64, Result<Sale, String>)>> {
    let key = |row: &(u64, Result<Sale, String>)| match &row.1 {
        Ok(sale) => sale.imei.number(),
        Err(_) => 0,
    };
    // Sorted by a small key with the position, then moved once: a sale is some 250 bytes.
    let mut order: Vec<(u64, u32)> = run
        .iter()
        .enumerate()
        .map(|(i, row)| (key(row), i as u32))
        .collect();
    order.sort_unstable();
    let mut rows: Vec<Option<_>> = run.into_iter().map(Some).collect();
    let mut batches = Vec::with_capacity(rows.len().div_ceil(BATCH));
    for chunk in order.chunks(BATCH) {
        batches.push(
            chunk
                .iter()
                .filter_map(|&(_, i)| rows.get_mut(i as usize).and_then(Option::take))
                .collect(),
        );
    }
    batches
}

/// Import a sales file into the registry. `progress` gets bytes read and the file size;
/// `on_header` hears about unused columns before the rows are read.
///
/// The file is first copied to a temporary file, its rows' lengths checked on the way,
/// without the write lock: a slow input (a pipe, a network share) then keeps nobody else
/// waiting, and an endless row is refused before it fills the memory. Then, under the
/// lock, reading and checking the CSV runs on its own thread while this one writes to
/// SQLite: each side takes about half the time of a large import.
pub fn import_file(
    store: &mut Store,
    path: &std::path::Path,
    today: NaiveDate,
    skip_invalid: bool,
    on_header: &mut dyn FnMut(&[String]),
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportSummary, ImportError> {
    let (f, _) = spool_file(path, &SALES, &mut |n, size| progress(n / 2, size))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut progress = |read: u64, size: u64| progress(size / 2 + read / 2, size);
    let read = Arc::new(AtomicU64::new(0));
    let counted = ByteCounter {
        inner: std::io::BufReader::with_capacity(1 << 16, f),
        read: Arc::clone(&read),
    };
    type Batch = Vec<(u64, Result<Sale, String>)>;
    std::thread::scope(|scope| {
        let (header_tx, header_rx) = mpsc::sync_channel::<Result<Vec<String>, CsvError>>(1);
        // Room for a whole run and some: the writer works through one sorted run while
        // the reader reads and sorts the next.
        let (rows_tx, rows_rx) = mpsc::sync_channel::<Batch>(RUN / BATCH + 8);
        scope.spawn(move || {
            let reader = match SalesReader::sales(counted, today) {
                Ok(r) => r,
                Err(e) => {
                    let _ = header_tx.send(Err(e));
                    return;
                }
            };
            if header_tx.send(Ok(reader.ignored_columns.clone())).is_err() {
                return;
            }
            let mut run = Vec::with_capacity(RUN);
            let mut reader = reader.fuse();
            loop {
                run.extend(reader.by_ref().take(RUN));
                if run.is_empty() {
                    return;
                }
                for batch in in_imei_order(std::mem::take(&mut run)) {
                    // The writer stopped (an error): stop reading too.
                    if rows_tx.send(batch).is_err() {
                        return;
                    }
                }
            }
        });
        let ignored = header_rx
            .recv()
            .unwrap_or_else(|_| Err(CsvError::Read("the reading thread stopped".into())))
            .map_err(|source| ImportError::Csv {
                path: path.to_path_buf(),
                source,
            })?;
        on_header(&ignored);
        let rows = rows_rx.into_iter().flatten();
        Ok(store.import_sales(rows, skip_invalid, &mut |_| {
            progress(read.load(Ordering::Relaxed), size)
        })?)
    })
}

/// Copy the file at `path` aside (see [`spool`]); the copy and the file's size.
fn spool_file(
    path: &std::path::Path,
    shape: &'static Shape,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(std::fs::File, u64), ImportError> {
    let input = std::fs::File::open(path).map_err(|source| ImportError::Open {
        path: path.to_path_buf(),
        source,
        shape,
    })?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let f = spool(input, shape, &mut |n| progress(n, size)).map_err(|e| match e {
        Spooling::Csv(source) => ImportError::Csv {
            path: path.to_path_buf(),
            source,
        },
        Spooling::Copy(source) => ImportError::Spool {
            path: path.to_path_buf(),
            source,
            shape,
        },
    })?;
    Ok((f, size))
}

/// The columns of a reseller's RMA request file (`open --batch`), one device a line.
pub const REQUEST_REQUIRED: [&str; 2] = ["imei", "fault"];
/// The columns it may have.
pub const REQUEST_OPTIONAL: [&str; 3] = ["part", "claimed_at", "tracking_in"];

/// A reseller's RMA requests: one device a line.
pub static REQUESTS: Shape = Shape {
    file: "the RMA request file",
    row: "request",
    one_per_line: "an RMA request file has one device per line",
    required: &REQUEST_REQUIRED,
    optional: &REQUEST_OPTIONAL,
};

/// A request file read whole: each row's line and its request or what is wrong with it,
/// and the columns not used.
#[derive(Debug)]
pub struct RequestFile {
    /// Every row with its line number, in file order.
    pub rows: Vec<(u64, Result<NewCase, String>)>,
    /// Header columns that are not used.
    pub ignored_columns: Vec<String>,
}

/// Read a reseller's RMA request file (`imei, fault`, optionally `part, claimed_at,
/// tracking_in`) with the same CSV rules as the sales import. A row without `claimed_at`
/// is claimed `now`; one claimed after `latest` (more than a day ahead) is a bad row.
pub fn read_requests(
    path: &std::path::Path,
    now: DateTime<Utc>,
    latest: DateTime<Utc>,
) -> Result<RequestFile, ImportError> {
    let (f, _) = spool_file(path, &REQUESTS, &mut |_, _| {})?;
    let reader = CsvReader::new(std::io::BufReader::new(f), &REQUESTS, move |fields| {
        parse_request(fields, now, latest)
    })
    .map_err(|source| ImportError::Csv {
        path: path.to_path_buf(),
        source,
    })?;
    let ignored_columns = reader.ignored_columns.clone();
    Ok(RequestFile {
        rows: reader.collect(),
        ignored_columns,
    })
}

fn parse_request(
    f: &Fields<'_>,
    now: DateTime<Utc>,
    latest: DateTime<Utc>,
) -> Result<NewCase, String> {
    let imei = Imei::parse(f.required(0)).map_err(|e| format!("imei: {e}"))?;
    let fault = text::required_text("fault", f.required(1), text::MAX_FAULT)
        .map_err(|e| format!("fault: {e}"))?;
    let given = |i: usize| f.optional(i).filter(|v| !v.is_empty());
    let part = given(0)
        .map(Part::parse)
        .transpose()
        .map_err(|e| format!("part: {e}"))?
        .unwrap_or(Part::Device);
    let claimed_at = match given(1) {
        Some(typed) => {
            let at = parse_time(typed).map_err(|e| format!("claimed_at: {e}"))?;
            if at > latest {
                return Err(format!(
                    "claimed_at: {:?} is more than a day after now: give the time the reseller really asked",
                    text::clean_line(typed)
                ));
            }
            at
        }
        None => now,
    };
    let tracking_in = given(2)
        .map(TrackingNumber::parse)
        .transpose()
        .map_err(|e| format!("tracking_in: {e}"))?;
    Ok(NewCase {
        imei,
        fault,
        part,
        claimed_at,
        tracking_in,
        override_reason: None,
    })
}

enum Spooling {
    Csv(CsvError),
    Copy(std::io::Error),
}

/// Copy `input` to an unnamed temporary file, refusing a row longer than
/// [`MAX_ROW_BYTES`] as it passes; the copy, rewound. `progress` gets the bytes read.
fn spool(
    mut input: impl Read,
    shape: &'static Shape,
    progress: &mut dyn FnMut(u64),
) -> Result<std::fs::File, Spooling> {
    use std::io::{Seek, Write};
    let mut file = tempfile::tempfile().map_err(Spooling::Copy)?;
    let mut limit = RowLimit::new(shape);
    let mut buf = vec![0u8; 1 << 16];
    let mut read = 0u64;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut file);
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Spooling::Csv(CsvError::Read(e.to_string()))),
            };
            limit.feed(&buf[..n]).map_err(Spooling::Csv)?;
            out.write_all(&buf[..n]).map_err(Spooling::Copy)?;
            read += n as u64;
            progress(read);
        }
        out.flush().map_err(Spooling::Copy)?;
    }
    file.rewind().map_err(Spooling::Copy)?;
    Ok(file)
}

/// Where rows end, followed byte by byte as the CSV parser will see them: a quote opens a
/// field only at its start, `""` inside one is a quote, and a line break inside quotes
/// does not end the row.
struct RowLimit {
    shape: &'static Shape,
    field: Field,
    /// Bytes of the row so far.
    bytes: u64,
    /// Line breaks passed.
    breaks: u64,
    /// Line breaks before the current row.
    row_breaks: u64,
    /// The byte before the chunk being fed.
    prev: u8,
}

#[derive(Default, Clone, Copy)]
enum Field {
    #[default]
    Start,
    Plain,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of `""`.
    QuoteInQuoted,
}

impl RowLimit {
    fn new(shape: &'static Shape) -> RowLimit {
        RowLimit {
            shape,
            field: Field::Start,
            bytes: 0,
            breaks: 0,
            row_breaks: 0,
            prev: b'\n',
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<(), CsvError> {
        self.feed_with_limit(chunk, MAX_ROW_BYTES)
    }

    /// [`RowLimit::feed`] with another limit than [`MAX_ROW_BYTES`] (tests).
    fn feed_with_limit(&mut self, chunk: &[u8], max: u64) -> Result<(), CsvError> {
        // Only quotes and line breaks change where a row ends; the bytes between them
        // are counted as a run (a comma matters only before a quote, seen as `prev`).
        let mut pos = 0;
        for i in memchr::memchr3_iter(b'"', b'\n', b'\r', chunk).chain([chunk.len()]) {
            if i > pos {
                self.bytes += (i - pos) as u64;
                if self.bytes > max {
                    return Err(self.too_long());
                }
                if !matches!(self.field, Field::Quoted) {
                    self.field = Field::Plain;
                }
            }
            let Some(&b) = chunk.get(i) else { break };
            let prev = i.checked_sub(1).and_then(|p| chunk.get(p)).copied();
            let prev = prev.unwrap_or(self.prev);
            self.prev = b;
            self.bytes += 1;
            pos = i + 1;
            let row_ends = match (self.field, b) {
                (Field::Quoted, b'"') => {
                    self.field = Field::QuoteInQuoted;
                    false
                }
                (Field::Quoted, _) => false,
                (Field::QuoteInQuoted | Field::Start, b'"') => {
                    self.field = Field::Quoted;
                    false
                }
                (Field::Plain, b'"') => {
                    if prev == b',' {
                        self.field = Field::Quoted;
                    }
                    false
                }
                // The CSV reader ends a record at CR, LF or CRLF (old Mac exports end
                // rows with CR alone).
                _ => {
                    self.field = Field::Start;
                    true
                }
            };
            if b == b'\n' {
                self.breaks += 1;
            }
            if row_ends {
                self.bytes = 0;
                self.row_breaks = self.breaks;
            } else if self.bytes > max {
                return Err(self.too_long());
            }
        }
        if let Some(&last) = chunk.last() {
            self.prev = last;
        }
        Ok(())
    }

    fn too_long(&self) -> CsvError {
        CsvError::RowTooLong {
            line: self.row_breaks + 1,
            shape: self.shape,
        }
    }
}

/// Counts bytes read, for a progress bar.
struct ByteCounter<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for ByteCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Counts line breaks as the CSV parser pulls bytes, so rows can be named by their
/// real line even when blank lines or quoted line breaks come before them.
struct LineCounter<R> {
    inner: R,
    offset: u64,
    breaks: Rc<RefCell<LineBreaks>>,
    /// Where the parser is in a field, followed as [`RowLimit`] does.
    field: Field,
    /// Where the quoted field being read opened.
    quote_opened: u64,
    /// The last byte read.
    prev: u8,
}

#[derive(Default)]
struct LineBreaks {
    /// Offsets of line breaks not yet passed by the parser.
    pending: VecDeque<u64>,
    /// Line breaks already passed.
    passed: u64,
    /// Where a quote opened that the file never closes: the parser takes the rest of the
    /// file as that field.
    open_quote_at: Option<u64>,
}

impl LineBreaks {
    /// The 1-based line holding byte `offset`.
    fn line_of(&mut self, offset: u64) -> u64 {
        while self.pending.front().is_some_and(|&b| b < offset) {
            self.pending.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        let chunk = &buf[..n];
        // As in `RowLimit::feed`: only quotes and line breaks, the runs between them at once.
        let mut pos = 0;
        for i in memchr::memchr2_iter(b'"', b'\n', chunk) {
            if i > pos && !matches!(self.field, Field::Quoted) {
                self.field = Field::Plain;
            }
            let prev = i.checked_sub(1).and_then(|p| chunk.get(p)).copied();
            let prev = prev.unwrap_or(self.prev);
            pos = i + 1;
            let at = self.offset + i as u64;
            if chunk.get(i) == Some(&b'\n') {
                breaks.pending.push_back(at);
                if !matches!(self.field, Field::Quoted) {
                    self.field = Field::Start;
                }
                continue;
            }
            self.field = match self.field {
                Field::Quoted => Field::QuoteInQuoted,
                Field::QuoteInQuoted => Field::Quoted,
                Field::Plain if prev != b',' => Field::Plain,
                Field::Start | Field::Plain => {
                    self.quote_opened = at;
                    Field::Quoted
                }
            };
        }
        if n > pos && !matches!(self.field, Field::Quoted) {
            self.field = Field::Plain;
        }
        if let Some(&last) = chunk.last() {
            self.prev = last;
        }
        if n == 0 && !buf.is_empty() && matches!(self.field, Field::Quoted) {
            breaks.open_quote_at = Some(self.quote_opened);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// The fields of one row, found by the columns of its file's [`Shape`].
pub struct Fields<'a> {
    row: &'a [&'a str],
    cols: &'a Columns,
}

impl Fields<'_> {
    /// The `i`th required column of the shape (trimmed; empty when blank).
    pub fn required(&self, i: usize) -> &str {
        self.cols
            .required
            .get(i)
            .and_then(|&c| self.row.get(c))
            .copied()
            .unwrap_or("")
    }

    /// The `i`th optional column of the shape; `None` when the file has no such column.
    pub fn optional(&self, i: usize) -> Option<&str> {
        self.cols
            .optional
            .get(i)
            .copied()
            .flatten()
            .and_then(|c| self.row.get(c).copied())
    }
}

/// Turns one row's fields into a value, or says what is wrong with it.
type ParseRow<T> = Box<dyn FnMut(&Fields<'_>) -> Result<T, String>>;

/// A CSV file read row by row (a million rows need not fit in memory): each item is a
/// line number and the row's value or what is wrong with the row.
pub struct CsvReader<R: Read, T> {
    reader: csv::Reader<LineCounter<R>>,
    breaks: Rc<RefCell<LineBreaks>>,
    cols: Columns,
    width: usize,
    shape: &'static Shape,
    parse: ParseRow<T>,
    record: csv::ByteRecord,
    /// Header columns that are not used (reported, not fatal: shop exports carry extras).
    pub ignored_columns: Vec<String>,
}

/// The sales export read row by row.
pub type SalesReader<R> = CsvReader<R, Sale>;

impl<R: Read> CsvReader<R, Sale> {
    /// Read the sales file's header. `today` bounds dispatch dates (none in the future).
    pub fn sales(input: R, today: NaiveDate) -> Result<SalesReader<R>, CsvError> {
        CsvReader::new(input, &SALES, move |f| parse_sale(f, today))
    }
}

impl<R: Read, T> CsvReader<R, T> {
    /// Read the header of a file of `shape`; `parse` makes each row's value.
    pub fn new(
        input: R,
        shape: &'static Shape,
        parse: impl FnMut(&Fields<'_>) -> Result<T, String> + 'static,
    ) -> Result<CsvReader<R, T>, CsvError> {
        let breaks = Rc::new(RefCell::new(LineBreaks::default()));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(LineCounter {
                inner: input,
                offset: 0,
                breaks: Rc::clone(&breaks),
                field: Field::Start,
                quote_opened: 0,
                prev: b'\n',
            });
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(false) => return Err(CsvError::NoHeader(shape)),
            Err(e) => return Err(CsvError::Read(e.to_string())),
            Ok(true) => {}
        }
        let header = csv::StringRecord::from_byte_record(header).map_err(|_| {
            CsvError::Read("the header is not UTF-8 text: save the file as UTF-8".into())
        })?;
        let (cols, ignored_columns) = header_columns(&header, shape)?;
        Ok(CsvReader {
            reader,
            breaks,
            cols,
            width: header.len(),
            shape,
            parse: Box::new(parse),
            record: csv::ByteRecord::new(),
            ignored_columns,
        })
    }

    fn line_at(&self, pos: Option<&csv::Position>) -> u64 {
        pos.map_or(0, |p| self.breaks.borrow_mut().line_of(p.byte()))
    }
}

impl<R: Read, T> Iterator for CsvReader<R, T> {
    type Item = (u64, Result<T, String>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let start = self.reader.position().clone();
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    let line = self.line_at(e.position().or(Some(&start)));
                    return Some((
                        line,
                        Err(format!(
                            "the line cannot be read as CSV ({e}); check its quotes"
                        )),
                    ));
                }
            }
            if self.record.iter().all(|f| f.is_empty()) {
                continue;
            }
            // The parser's record position can point at blank lines it skipped, so count
            // back from the record's end instead, less the line breaks inside its fields.
            let end = self.reader.position().byte().saturating_sub(1);
            let inner_breaks = self
                .record
                .iter()
                .map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64)
                .sum::<u64>();
            let line = self
                .breaks
                .borrow_mut()
                .line_of(end)
                .saturating_sub(inner_breaks);
            // Check the text per field: no copy of the record.
            let row: Option<Vec<&str>> = self
                .record
                .iter()
                .map(|f| std::str::from_utf8(f).ok())
                .collect();
            let Some(row) = row else {
                return Some((
                    line,
                    Err("the line is not UTF-8 text: save the file as UTF-8".into()),
                ));
            };
            let record_end = self.reader.position().byte();
            if self
                .breaks
                .borrow()
                .open_quote_at
                .is_some_and(|at| at >= start.byte() && at < record_end)
            {
                return Some((
                    line,
                    Err(format!(
                        "a quote opens in this row and never closes, so the lines after it were read into this field ({}): close the quote, or remove it",
                        self.shape.one_per_line
                    )),
                ));
            }
            if row.iter().any(|f| f.contains(['\n', '\r'])) {
                return Some((
                    line,
                    Err(format!(
                        "a field holds a line break: a quote opened and not closed takes the next lines into it; {}, so close the quote or remove the line break",
                        self.shape.one_per_line
                    )),
                ));
            }
            // A quote left open before a comma-separated row on the same line holds that row.
            if self.width > 2 && row.iter().any(|f| f.matches(',').count() + 1 >= self.width) {
                return Some((
                    line,
                    Err(format!(
                        "a field holds a whole row ({} or more commas): check the quotes on this line",
                        self.width - 1
                    )),
                ));
            }
            if row.len() != self.width {
                return Some((
                    line,
                    Err(format!(
                        "the line has {} fields but the header has {}: check for a stray or missing comma",
                        row.len(),
                        self.width
                    )),
                ));
            }
            let fields = Fields {
                row: &row,
                cols: &self.cols,
            };
            return Some((line, (self.parse)(&fields)));
        }
    }
}

fn parse_sale(f: &Fields<'_>, today: NaiveDate) -> Result<Sale, String> {
    let [imei, order, customer, model, category, dispatched] =
        [0, 1, 2, 3, 4, 5].map(|i| f.required(i));
    let imei = Imei::parse(imei).map_err(|e| format!("imei: {e}"))?;
    let line = |field: &'static str, v: &str, max: usize| {
        text::required_line(field, v, max).map_err(|e| format!("{field}: {e}"))
    };
    let order_number = line("order_number", order, text::MAX_SHORT)?;
    let customer_number = line("customer_number", customer, text::MAX_SHORT)?;
    let model = line("model", model, text::MAX_SHORT)?;
    let category = Category::parse(category).map_err(|e| format!("category: {e}"))?;
    let dispatched_on = parse_date(dispatched).map_err(|e| format!("dispatched_on: {e}"))?;
    if dispatched_on > today {
        return Err(format!(
            "dispatched_on: {dispatched_on} is in the future: check the date"
        ));
    }
    let optional = |i: usize, max: usize| -> Result<Option<String>, String> {
        let v = text::clean_line(f.optional(i).unwrap_or(""));
        if v.chars().count() > max {
            return Err(format!("a field is longer than {max} characters"));
        }
        Ok(Some(v).filter(|v| !v.is_empty()))
    };
    let [name, email, address, country, phone] = [0, 1, 2, 3, 4];
    let named =
        |field: &str, r: Result<Option<String>, String>| r.map_err(|e| format!("{field}: {e}"));
    let customer_email = named("customer_email", optional(email, text::MAX_SHORT * 2))?;
    if let Some(e) = &customer_email
        && (!e.contains('@') || e.contains(' '))
    {
        return Err(format!(
            "customer_email: {e:?} is not an email address: it needs an @ and no spaces"
        ));
    }
    Ok(Sale {
        imei,
        order_number,
        customer_number,
        customer_name: named("customer_name", optional(name, text::MAX_SHORT * 2))?,
        customer_email,
        customer_address: named("customer_address", optional(address, text::MAX_SHORT * 4))?,
        country: named("country", optional(country, 60))?,
        customer_phone: named("customer_phone", optional(phone, 40))?
            .map(|p| checked_phone(&p))
            .transpose()?,
        model,
        category,
        dispatched_on,
    })
}

/// A phone number as a post office prints it: digits, with `+`, spaces, dashes, dots,
/// slashes and brackets; at least 5 digits.
fn checked_phone(p: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_digit() || " +-./()".contains(c);
    let digits = p.chars().filter(char::is_ascii_digit).count();
    if p.chars().all(allowed) && digits >= 5 {
        Ok(p.to_string())
    } else {
        Err(format!(
            "customer_phone: {p:?} is not a phone number: digits, with + - . / ( ) and spaces only"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct SalesFile {
        rows: Vec<(u64, Sale)>,
        rejected: Vec<(u64, String)>,
        ignored_columns: Vec<String>,
    }

    fn read_bytes(b: &[u8]) -> Result<SalesFile, CsvError> {
        let reader = SalesReader::sales(b, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap())?;
        let ignored_columns = reader.ignored_columns.clone();
        let (mut rows, mut rejected) = (Vec::new(), Vec::new());
        for (line, r) in reader {
            match r {
                Ok(s) => rows.push((line, s)),
                Err(m) => rejected.push((line, m)),
            }
        }
        Ok(SalesFile {
            rows,
            rejected,
            ignored_columns,
        })
    }

    fn read(s: &str) -> Result<SalesFile, CsvError> {
        read_bytes(s.as_bytes())
    }

    #[test]
    fn a_good_file_with_optional_columns_and_a_bom() {
        let f = read(
            "\u{feff}IMEI,order_number,customer_number,model,category,dispatched_on,country,extra\n\
             490154203237518,SO-1,C-9,CECT P30,phone,2026-01-05,DE,x\n\
             \n\
             \r\n\
             \n\
             260531793113837,SO-2,C-9,\"CECT\nPad 10\",tablet,2026-02-05,,y\n\
             490154203237519,SO-2,C-9,P,phone,2026-02-05,,y\n",
        )
        .unwrap();
        // A line break inside quotes is a bad row in a sales registry (one sale a line).
        let lines: Vec<u64> = f.rejected.iter().map(|r| r.0).collect();
        // Blank lines and quoted line breaks count: the bad row is on line 8.
        assert_eq!(lines, vec![6, 8]);
        assert!(
            f.rejected[0].1.contains("line break"),
            "{}",
            f.rejected[0].1
        );
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].0, 2);
        assert_eq!(f.rows[0].1.country.as_deref(), Some("DE"));
        assert_eq!(f.ignored_columns, vec!["extra"]);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let f = read(
            "imei,order_number,customer_number,model,category,dispatched_on,customer_email\n\
             490154203237519,SO-1,C-9,P30,phone,2026-01-05,\n\
             490154203237518,SO-1,C-9,P30,toaster,2026-01-05,\n\
             490154203237518,SO-1,C-9,P30,phone,2026-02-30,\n\
             490154203237518,,C-9,P30,phone,2026-01-05,\n\
             490154203237518,SO-1,C-9,P30,phone,2027-01-05,\n\
             490154203237518,SO-1,C-9,P30,phone,2026-01-05,nobody\n\
             490154203237518,SO-1,C-9\n",
        )
        .unwrap();
        let lines: Vec<u64> = f.rejected.iter().map(|p| p.0).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8]);
        let msgs: Vec<&str> = f.rejected.iter().map(|p| p.1.as_str()).collect();
        assert!(
            msgs[0].starts_with("imei: the IMEI check digit is wrong"),
            "{}",
            msgs[0]
        );
        assert!(msgs[1].starts_with("category: "), "{}", msgs[1]);
        assert!(msgs[2].starts_with("dispatched_on: "), "{}", msgs[2]);
        assert!(
            msgs[3].starts_with("order_number: the order_number is empty"),
            "{}",
            msgs[3]
        );
        assert!(msgs[4].contains("in the future"), "{}", msgs[4]);
        assert!(msgs[5].starts_with("customer_email: "), "{}", msgs[5]);
        assert!(
            msgs[6].contains("fields but the header has 7"),
            "{}",
            msgs[6]
        );
        assert!(f.rows.is_empty());
    }

    #[test]
    fn a_quote_left_open_swallows_no_row_silently() {
        let header =
            "imei,order_number,customer_number,model,category,dispatched_on,customer_name\n";
        // The last field opens a quote that never closes: the next line is inside it.
        let f = read(&format!(
            "{header}490154203237518,SO-1,C-9,P30,phone,2026-01-05,\"Zoe\n\
             260531793113837,SO-2,C-9,P30,phone,2026-01-05,Bob\n"
        ))
        .unwrap();
        assert!(f.rows.is_empty(), "{:?}", f.rows);
        assert_eq!(f.rejected.len(), 1);
        assert_eq!(f.rejected[0].0, 2);
        let msg = &f.rejected[0].1;
        assert!(
            msg.contains("quote") && msg.contains("never closes"),
            "{msg}"
        );
        // Closed further down, the quote holds a line break: a bad row too.
        let f = read(&format!(
            "{header}490154203237518,SO-1,C-9,P30,phone,2026-01-05,\"Zoe\n\
             260531793113837,SO-2,C-9,P30,phone,2026-01-05,Bob\"\n"
        ))
        .unwrap();
        assert!(f.rows.is_empty(), "{:?}", f.rows);
        assert!(
            f.rejected[0].1.contains("line break"),
            "{}",
            f.rejected[0].1
        );
        // A whole comma-separated row inside one quoted field, on one line.
        let f = read(&format!(
            "{header}490154203237518,SO-1,C-9,P30,phone,2026-01-05,\"260531793113837,SO-2,C-9,P30,phone,2026-01-05,Bob\"\n"
        ))
        .unwrap();
        assert!(f.rows.is_empty(), "{:?}", f.rows);
        assert!(
            f.rejected[0].1.contains("a whole row"),
            "{}",
            f.rejected[0].1
        );
        // A quote left open on the last row swallows nothing, but is still a bad row.
        let f = read(&format!(
            "{header}490154203237518,SO-1,C-9,P30,phone,2026-01-05,Zoe\n\
             260531793113837,SO-2,C-9,P30,phone,2026-01-05,\"Bob\n"
        ))
        .unwrap();
        assert_eq!(f.rows.len(), 1, "{:?}", f.rejected);
        assert_eq!(f.rejected.len(), 1, "{:?}", f.rows);
        assert_eq!(f.rejected[0].0, 3);
        assert!(
            f.rejected[0].1.contains("never closes"),
            "{}",
            f.rejected[0].1
        );
        // An address with a comma or two is fine.
        let f = read(&format!(
            "{header}490154203237518,SO-1,C-9,P30,phone,2026-01-05,\"Zoë, Main St 1, Berlin\"\n"
        ))
        .unwrap();
        assert_eq!(f.rows.len(), 1, "{:?}", f.rejected);
    }

    #[test]
    fn control_characters_in_fields_are_neutralised() {
        let f = read(
            "imei,order_number,customer_number,model,category,dispatched_on,customer_name\n\
             490154203237518,SO-1,C-9,P30\u{1b}[2J,phone,2026-01-05,\"Evil\u{202e}Corp\"\n",
        )
        .unwrap();
        assert_eq!(f.rows[0].1.model, "P30 [2J");
        assert_eq!(f.rows[0].1.customer_name.as_deref(), Some("EvilCorp"));
    }

    #[test]
    fn a_file_separated_by_semicolons_or_tabs_is_named_as_such() {
        let err = read("imei;order_number;customer_number;model;category;dispatched_on\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("the file is separated by `;`"), "{err}");
        assert!(err.contains("comma"), "{err}");
        let err = read("IMEI\torder_number\tcustomer_number\tmodel\tcategory\tdispatched_on\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("the file is separated by tabs"), "{err}");
    }

    #[test]
    fn header_problems_are_sentences() {
        assert!(matches!(read(""), Err(CsvError::NoHeader(_))));
        let err = read("imei,model\n").unwrap_err().to_string();
        assert!(err.starts_with("the header lacks the columns order_number, customer_number, category, dispatched_on"), "{err}");
        assert!(matches!(
            read("imei,imei,order_number,customer_number,model,category,dispatched_on\n"),
            Err(CsvError::DuplicateColumn(_))
        ));
    }

    #[test]
    fn rows_longer_than_the_limit_are_refused_on_their_first_line() {
        let feed = |bytes: &[u8]| {
            let mut limit = RowLimit::new(&SALES);
            // In small chunks, as a pipe delivers them.
            bytes.chunks(7).try_for_each(|c| limit.feed(c))
        };
        let header = b"imei,order_number,customer_number,model,category,dispatched_on\n";
        let mut endless = header.to_vec();
        endless.extend_from_slice(b"490154203237518,SO-1,C-9,P30,phone,2026-01-05\n");
        endless.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES as usize + 1));
        let err = feed(&endless).unwrap_err().to_string();
        assert!(
            err.starts_with("line 3: a row longer than 65536 bytes"),
            "{err}"
        );
        // A quote left open runs on over many short lines: named where it started.
        let mut open_quote = header.to_vec();
        open_quote.extend_from_slice(b"490154203237518,\"SO-1\n");
        for _ in 0..20_000 {
            open_quote.extend_from_slice(b"more\n");
        }
        let err = feed(&open_quote).unwrap_err().to_string();
        assert!(err.starts_with("line 2: "), "{err}");
        // Quotes that close, doubled quotes and a quote inside a plain field are fine,
        // however many rows follow.
        let mut fine = header.to_vec();
        for _ in 0..20_000 {
            fine.extend_from_slice(b"1,\"a \"\"b\"\" c\nd\",5\" screen,x\r\n");
        }
        feed(&fine).unwrap();
        // Exactly at the limit is still a row.
        let mut full = vec![b'y'; MAX_ROW_BYTES as usize - 1];
        full.push(b'\n');
        feed(&full).unwrap();
    }

    #[test]
    fn a_header_of_many_columns_is_checked_quickly_and_described_briefly() {
        let mut wide = "imei,order_number,customer_number,model,category,dispatched_on".to_string();
        for i in 0..200_000 {
            wide.push_str(&format!(",extra{i}"));
        }
        wide.push('\n');
        let started = std::time::Instant::now();
        let f = read(&wide).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let said = describe_ignored(&f.ignored_columns);
        assert!(said.starts_with("extra0, extra1, "), "{said}");
        assert!(said.ends_with(", and 199990 more"), "{said}");
        let mut dup = wide.clone();
        dup.insert_str(dup.len() - 1, ",extra7");
        assert!(matches!(read(&dup), Err(CsvError::DuplicateColumn(c)) if c == "extra7"));

        let mut empty =
            "imei,order_number,customer_number,model,category,dispatched_on".to_string();
        empty.push_str(&",".repeat(1_000_000));
        empty.push('\n');
        let said = describe_ignored(&read(&empty).unwrap().ignored_columns);
        assert_eq!(said, "1000000 without a name");
    }

    #[test]
    fn non_utf8_rows_are_rejected_not_fatal() {
        let mut bytes =
            b"imei,order_number,customer_number,model,category,dispatched_on\n".to_vec();
        bytes.extend_from_slice(b"490154203237518,SO-1,C-9,P\xff30,phone,2026-01-05\n");
        let f = read_bytes(&bytes).unwrap();
        assert_eq!(f.rejected.len(), 1);
        assert!(f.rejected[0].1.contains("UTF-8"));
    }
}

#[cfg(test)]
mod row_limit_tests {
    use super::*;

    #[test]
    fn rows_ended_by_a_carriage_return_alone_are_rows() {
        // An old Mac spreadsheet export: CR between rows, no LF anywhere.
        let row = "x".repeat(1000);
        let file: String = (0..200).map(|_| format!("{row}\r")).collect();
        assert!(file.len() as u64 > MAX_ROW_BYTES);
        let mut limit = RowLimit::new(&SALES);
        assert!(limit.feed(file.as_bytes()).is_ok());
        // A line break inside quotes still does not end the row.
        let mut limit = RowLimit::new(&SALES);
        let open = format!("\"{}", "y\r".repeat(MAX_ROW_BYTES as usize));
        assert!(limit.feed(open.as_bytes()).is_err());
    }
}

#[cfg(test)]
mod scanner_tests {
    use super::*;

    /// The row scanners as they were, byte by byte: the oracle for the faster ones.
    fn rows_by_byte(bytes: &[u8], max: u64) -> Result<(), u64> {
        let (mut field, mut len, mut breaks, mut row_breaks) = (Field::Start, 0u64, 0u64, 0u64);
        for &b in bytes {
            len += 1;
            let (next, row_ends) = match (field, b) {
                (Field::Quoted, b'"') => (Field::QuoteInQuoted, false),
                (Field::Quoted, _) => (Field::Quoted, false),
                (Field::QuoteInQuoted, b'"') | (Field::Start, b'"') => (Field::Quoted, false),
                (_, b',') => (Field::Start, false),
                (_, b'\n' | b'\r') => (Field::Start, true),
                _ => (Field::Plain, false),
            };
            field = next;
            if b == b'\n' {
                breaks += 1;
            }
            if row_ends {
                len = 0;
                row_breaks = breaks;
            } else if len > max {
                return Err(row_breaks + 1);
            }
        }
        Ok(())
    }

    fn open_quote_by_byte(bytes: &[u8]) -> (Vec<u64>, Option<u64>) {
        let (mut field, mut opened, mut breaks) = (Field::Start, 0u64, Vec::new());
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                breaks.push(i as u64);
            }
            field = match (field, b) {
                (Field::Quoted, b'"') => Field::QuoteInQuoted,
                (Field::Quoted, _) => Field::Quoted,
                (Field::Start, b'"') => {
                    opened = i as u64;
                    Field::Quoted
                }
                (Field::QuoteInQuoted, b'"') => Field::Quoted,
                (_, b',' | b'\n') => Field::Start,
                _ => Field::Plain,
            };
        }
        (breaks, matches!(field, Field::Quoted).then_some(opened))
    }

    /// Reads in chunks of `chunk` bytes.
    struct Chunked<'a>(&'a [u8], usize);

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn the_row_scanners_agree_with_reading_byte_by_byte_in_any_chunks() {
        let mut rng = crate::demo::Rng::new(5);
        let alphabet = b"ab,,\"\"\n\r x";
        for case in 0..3000 {
            let len = rng.range(0, 60) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.range(0, alphabet.len() as u64 - 1) as usize])
                .collect();
            let max = rng.range(1, 12);
            let chunk = rng.range(1, 9) as usize;

            // RowLimit, with a small limit so that rows run over it.
            let mut limit = RowLimit::new(&SALES);
            let fed: Result<(), u64> = bytes.chunks(chunk).try_for_each(|c| {
                limit.feed_with_limit(c, max).map_err(|e| match e {
                    CsvError::RowTooLong { line, .. } => line,
                    _ => u64::MAX,
                })
            });
            assert_eq!(
                fed,
                rows_by_byte(&bytes, max),
                "case {case}: {:?} in chunks of {chunk}, limit {max}",
                String::from_utf8_lossy(&bytes)
            );

            // LineCounter: the line breaks and where a quote left open started.
            let breaks = Rc::new(RefCell::new(LineBreaks::default()));
            let mut counter = LineCounter {
                inner: Chunked(&bytes, chunk),
                offset: 0,
                breaks: Rc::clone(&breaks),
                field: Field::Start,
                quote_opened: 0,
                prev: b'\n',
            };
            let mut sink = Vec::new();
            counter.read_to_end(&mut sink).unwrap();
            let (want_breaks, want_open) = open_quote_by_byte(&bytes);
            let got = breaks.borrow();
            assert_eq!(
                (
                    got.pending.iter().copied().collect::<Vec<_>>(),
                    got.open_quote_at
                ),
                (want_breaks, want_open),
                "case {case}: {:?} in chunks of {chunk}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

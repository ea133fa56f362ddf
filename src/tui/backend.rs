//! What the board writes to the terminal: ratatui hands over the cells that changed, and
//! this backend writes them with as few bytes as it can, because the board is often used
//! over SSH. Compared with writing each run of changed cells after an absolute cursor
//! move, with the colours and attributes as separate sequences:
//!
//! - the cursor goes to the next changed cell by the shortest of an absolute move, a
//!   relative one (up, down or a few line feeds; right, left or a few backspaces, back to
//!   the line's start, or to the column) or, for a short gap on the same line, by writing
//!   the unchanged cells again (known from what was drawn before);
//! - one SGR sequence sets all that changes of the colours and attributes;
//! - the end of a frame resets the style once, and only when it is not plain already;
//!   the cursor is hidden once, not on every frame.
//!
//! The screen that results is the same cell for cell: the tests read both outputs back
//! through a small terminal model. Only ASCII cells are ever rewritten or counted for
//! relative moves: a wide or ambiguous character leaves the cursor's column unknown, and
//! the next cell is then reached by an absolute move.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, IntoCrossterm, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::style::Colored;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

/// Colours and attributes, as the terminal has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

impl Pen {
    const PLAIN: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        underline: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// The SGR parameters of each attribute, on and (when turned off alone) off.
const ATTRIBUTES: [(Modifier, &str); 9] = [
    (Modifier::BOLD, "1"),
    (Modifier::DIM, "2"),
    (Modifier::ITALIC, "3"),
    (Modifier::UNDERLINED, "4"),
    (Modifier::SLOW_BLINK, "5"),
    (Modifier::RAPID_BLINK, "6"),
    (Modifier::REVERSED, "7"),
    (Modifier::HIDDEN, "8"),
    (Modifier::CROSSED_OUT, "9"),
];

/// The one SGR sequence that takes the terminal from `from` to `to` (empty when they are
/// the same): attributes turned off one by one, or everything reset (`0`) and set again,
/// whichever is shorter.
fn sgr(from: Pen, to: Pen, out: &mut Vec<u8>) {
    if from == to {
        return;
    }
    let params = |reset: bool| -> Vec<String> {
        let mut params: Vec<String> = Vec::new();
        let mut base = from;
        if reset {
            params.push("0".into());
            base = Pen::PLAIN;
        } else {
            let removed = from.modifier - to.modifier;
            let mut off = |m: Modifier, code: &str, base: &mut Pen| {
                if removed.intersects(m) {
                    params.push(code.into());
                    base.modifier.remove(m);
                }
            };
            // Bold and dim share their "off", as the two blinks do.
            off(Modifier::BOLD | Modifier::DIM, "22", &mut base);
            off(Modifier::ITALIC, "23", &mut base);
            off(Modifier::UNDERLINED, "24", &mut base);
            off(
                Modifier::SLOW_BLINK | Modifier::RAPID_BLINK,
                "25",
                &mut base,
            );
            off(Modifier::REVERSED, "27", &mut base);
            off(Modifier::HIDDEN, "28", &mut base);
            off(Modifier::CROSSED_OUT, "29", &mut base);
        }
        for (m, on) in ATTRIBUTES {
            if to.modifier.contains(m) && !base.modifier.contains(m) {
                params.push(on.into());
            }
        }
        if to.fg != base.fg {
            params.push(Colored::ForegroundColor(to.fg.into_crossterm()).to_string());
        }
        if to.bg != base.bg {
            params.push(Colored::BackgroundColor(to.bg.into_crossterm()).to_string());
        }
        if to.underline != base.underline {
            params.push(Colored::UnderlineColor(to.underline.into_crossterm()).to_string());
        }
        params
    };
    let (one_by_one, reset) = (params(false), params(true));
    let len = |p: &[String]| p.iter().map(|s| s.len() + 1).sum::<usize>();
    let params = if len(&reset) < len(&one_by_one) {
        reset
    } else {
        one_by_one
    };
    out.extend_from_slice(b"\x1b[");
    out.extend_from_slice(params.join(";").as_bytes());
    out.push(b'm');
}

fn sgr_len(from: Pen, to: Pen) -> usize {
    let mut v = Vec::new();
    sgr(from, to, &mut v);
    v.len()
}

/// A cell written again as it is, to step over it: plain ASCII only.
fn rewritable(cell: &Cell) -> bool {
    matches!(cell.symbol().as_bytes(), [b] if (0x20..0x7f).contains(b))
}

/// What stands in what is shown for a cell whose content is not known.
const UNKNOWN: &str = "\u{fffd}";

/// What the terminal shows, as far as this backend wrote it.
#[derive(Debug, Clone)]
struct Shown {
    width: u16,
    height: u16,
    cells: Vec<Cell>,
}

impl Shown {
    fn blank(size: Size) -> Shown {
        Shown {
            width: size.width,
            height: size.height,
            cells: vec![Cell::default(); usize::from(size.width) * usize::from(size.height)],
        }
    }

    fn get(&self, x: u16, y: u16) -> Option<&Cell> {
        (x < self.width && y < self.height)
            .then(|| &self.cells[usize::from(y) * usize::from(self.width) + usize::from(x)])
    }

    fn forget(&mut self, x: u16, y: u16) {
        let mut unknown = Cell::default();
        unknown.set_symbol(UNKNOWN);
        self.set(x, y, &unknown);
    }

    fn set(&mut self, x: u16, y: u16, cell: &Cell) {
        if x < self.width && y < self.height {
            self.cells[usize::from(y) * usize::from(self.width) + usize::from(x)] = cell.clone();
        }
    }
}

/// A crossterm backend that writes fewer bytes for the same screen.
pub struct LeanBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// The terminal's size, once known: relative moves need the right margin.
    size: Option<Size>,
    /// What is on screen; `None` when unknown (then only absolute moves are used).
    shown: Option<Shown>,
    /// The size was given, not asked of the terminal.
    fixed: bool,
    /// A frame was drawn: the first starts from a blank screen, as ratatui assumes.
    drawn: bool,
    cursor_hidden: bool,
}

impl<W: Write> LeanBackend<W> {
    /// A backend writing to `writer`, which learns the terminal's size when ratatui asks.
    pub fn new(writer: W) -> LeanBackend<W> {
        LeanBackend {
            inner: CrosstermBackend::new(writer),
            size: None,
            shown: None,
            fixed: false,
            drawn: false,
            cursor_hidden: false,
        }
    }

    /// A backend for a screen of a known size, blank to begin with (a fixed viewport, as
    /// the benchmark and the tests use).
    pub fn with_size(writer: W, size: Size) -> LeanBackend<W> {
        LeanBackend {
            inner: CrosstermBackend::new(writer),
            size: Some(size),
            shown: Some(Shown::blank(size)),
            fixed: true,
            drawn: false,
            cursor_hidden: false,
        }
    }

    /// When the new frame moves full-width rows up or down (a list scrolled by a card on
    /// a screen it spans), let the terminal move them: a scroll region, and index or
    /// reverse index, then only the rows that differ from the moved ones are written.
    /// The cells to write next, in screen order.
    fn scroll(
        &mut self,
        content: Vec<(u16, u16, Cell)>,
        out: &mut Vec<u8>,
    ) -> Vec<(u16, u16, Cell)> {
        let Some(shown) = &self.shown else {
            return content;
        };
        let w = usize::from(shown.width);
        // Not worth a look unless several rows changed across most of their width (a
        // pane beside others changes only its part of each row).
        if content.len() < 4 * w
            || content
                .iter()
                .any(|(x, y, _)| *x >= shown.width || *y >= shown.height)
        {
            return content;
        }
        let mut spans: std::collections::BTreeMap<u16, (u16, u16)> = Default::default();
        for (x, y, _) in &content {
            let span = spans.entry(*y).or_insert((*x, *x));
            span.0 = span.0.min(*x);
            span.1 = span.1.max(*x);
        }
        let wide_rows = spans
            .values()
            .filter(|(a, b)| usize::from(b - a) * 2 >= w)
            .count();
        if wide_rows < 4 {
            return content;
        }
        let mut next = shown.clone();
        for (x, y, cell) in &content {
            next.set(*x, *y, cell);
        }
        let Some(shift) = find_shift(shown, &next) else {
            return content;
        };
        let (top, bottom) = (shift.top, shift.bottom);
        out.extend(format!("\x1b[{};{}r", top + 1, bottom + 1).into_bytes());
        let k = usize::from(shift.lines.unsigned_abs());
        if shift.lines > 0 {
            out.extend(absolute(0, bottom));
            out.extend(b"\x1bD".repeat(k));
        } else {
            out.extend(absolute(0, top));
            out.extend(b"\x1bM".repeat(k));
        }
        out.extend_from_slice(b"\x1b[r");
        // The same move on what is known to be shown; the rows scrolled in are blank.
        let mut moved = shown.clone();
        let (t, b) = (usize::from(top), usize::from(bottom));
        let rows: Vec<Vec<Cell>> = (t..=b)
            .map(|r| shown.cells[r * w..(r + 1) * w].to_vec())
            .collect();
        for r in t..=b {
            let from = r as isize + isize::from(shift.lines);
            let line = if from >= t as isize && from <= b as isize {
                rows[from as usize - t].clone()
            } else {
                vec![Cell::default(); w]
            };
            moved.cells[r * w..(r + 1) * w].clone_from_slice(&line);
        }
        // Within the region, what differs from the moved rows; elsewhere, ratatui's cells.
        let mut cells: Vec<(u16, u16, Cell)> = content
            .into_iter()
            .filter(|(_, y, _)| *y < top || *y > bottom)
            .collect();
        for r in t..=b {
            for x in 0..w {
                let cell = &next.cells[r * w + x];
                if *cell != moved.cells[r * w + x] {
                    cells.push((x as u16, r as u16, cell.clone()));
                }
            }
        }
        cells.sort_by_key(|(x, y, _)| (*y, *x));
        self.shown = Some(moved);
        cells
    }

    /// The cheapest way from `from` to `(x, y)`: the bytes, and the pen they leave.
    fn route(
        &self,
        from: Option<(u16, u16)>,
        x: u16,
        y: u16,
        pen: Pen,
        next: Pen,
    ) -> (Vec<u8>, Pen) {
        let mut best = absolute(x, y);
        let mut best_pen = pen;
        let consider = |bytes: Vec<u8>, after: Pen, best: &mut Vec<u8>, best_pen: &mut Pen| {
            if bytes.len() + sgr_len(after, next) < best.len() + sgr_len(*best_pen, next) {
                *best = bytes;
                *best_pen = after;
            }
        };
        let Some((cx, cy)) = from else {
            return (best, best_pen);
        };
        // Relative moves need to know the cursor is not held at the right margin.
        let width = self.size.map_or(0, |s| s.width);
        if cx >= width {
            return (best, best_pen);
        }
        // Up or down: by the sequence, or down a few rows by line feeds (one byte each:
        // the terminal is in raw mode, and no scroll region is set between frames, so a
        // line feed above the last row only moves the cursor down).
        let mut verticals = Vec::new();
        match y.cmp(&cy) {
            std::cmp::Ordering::Greater => {
                verticals.push(csi_n(y - cy, b'B'));
                if y - cy <= 3 {
                    verticals.push(vec![b'\n'; usize::from(y - cy)]);
                }
            }
            std::cmp::Ordering::Less => verticals.push(csi_n(cy - y, b'A')),
            std::cmp::Ordering::Equal => verticals.push(Vec::new()),
        }
        // Along the row: from the cursor's column, or from the line's start.
        let along =
            |vertical: &[u8], start: u16, prefix: &[u8], best: &mut Vec<u8>, best_pen: &mut Pen| {
                let mut bytes = vertical.to_vec();
                bytes.extend_from_slice(prefix);
                if x == start {
                    consider(bytes.clone(), pen, best, best_pen);
                    return;
                }
                if x > start {
                    let mut right = bytes.clone();
                    right.extend(csi_n(x - start, b'C'));
                    consider(right, pen, best, best_pen);
                    if let Some((fill, after)) = self.fill(start, x, y, pen) {
                        let mut over = bytes.clone();
                        over.extend(fill);
                        consider(over, after, best, best_pen);
                    }
                } else {
                    let mut left = bytes.clone();
                    left.extend(csi_n(start - x, b'D'));
                    consider(left, pen, best, best_pen);
                    // A few columns back by backspaces, one byte each.
                    if start - x <= 3 {
                        let mut back = bytes.clone();
                        back.extend(vec![0x08; usize::from(start - x)]);
                        consider(back, pen, best, best_pen);
                    }
                }
                // Straight to the column (CHA), on the row reached.
                let mut column = bytes;
                column.extend(format!("\x1b[{}G", u32::from(x) + 1).into_bytes());
                consider(column, pen, best, best_pen);
            };
        for vertical in &verticals {
            along(vertical, cx, b"", &mut best, &mut best_pen);
            along(vertical, 0, b"\r", &mut best, &mut best_pen);
        }
        (best, best_pen)
    }

    /// The cells from column `from` to `to` (not included) on row `y`, written again as
    /// they are, when they are known and plain ASCII: the bytes and the pen they leave.
    fn fill(&self, from: u16, to: u16, y: u16, mut pen: Pen) -> Option<(Vec<u8>, Pen)> {
        // Longer gaps are never cheaper than a move.
        if to - from > 8 {
            return None;
        }
        let shown = self.shown.as_ref()?;
        let mut out = Vec::new();
        for x in from..to {
            let cell = shown.get(x, y)?;
            if !rewritable(cell) {
                return None;
            }
            sgr(pen, Pen::of(cell), &mut out);
            pen = Pen::of(cell);
            out.extend_from_slice(cell.symbol().as_bytes());
        }
        Some((out, pen))
    }
}

/// How many columns a cell's text takes, as ratatui counts it.
fn width(cell: &Cell) -> usize {
    ratatui::text::Span::raw(cell.symbol()).width()
}

/// Rows that moved up (`lines` > 0) or down by `lines`, between `top` and `bottom`
/// (both included): what a scroll region can move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shift {
    top: u16,
    bottom: u16,
    lines: i16,
}

/// The most rows a scroll of one or two lines, up or down, moves into place, when that
/// is at least a few: full-width rows only, since a scroll region spans the whole width.
fn find_shift(before: &Shown, after: &Shown) -> Option<Shift> {
    let h = usize::from(after.height);
    fn row(s: &Shown, r: usize) -> &[Cell] {
        let w = usize::from(s.width);
        &s.cells[r * w..(r + 1) * w]
    }
    // Only rows of one-column characters, every one known: the region is compared and
    // redrawn cell by cell, and a cell whose content is not known must not be moved.
    let plain = |s: &Shown, r: usize| {
        row(s, r)
            .iter()
            .all(|c| width(c) == 1 && c.symbol() != UNKNOWN)
    };
    let ok: Vec<bool> = (0..h)
        .map(|r| plain(before, r) && plain(after, r))
        .collect();
    let mut best: Option<(usize, Shift)> = None;
    for lines in [1i16, 2, -1, -2] {
        let k = usize::from(lines.unsigned_abs());
        // Rows r of the new frame that are the old frame's row r + lines.
        let mut run_start = None;
        for r in 0..=h {
            let from = r as isize + isize::from(lines);
            let matches = r < h
                && from >= 0
                && (from as usize) < h
                && ok[r]
                && ok[from as usize]
                && row(after, r) == row(before, from as usize)
                && row(after, r) != row(before, r);
            match (matches, run_start) {
                (true, None) => run_start = Some(r),
                (false, Some(start)) => {
                    run_start = None;
                    let end = r - 1;
                    let moved = end + 1 - start;
                    // The region also holds the rows scrolled out and in.
                    let (top, bottom) = if lines > 0 {
                        (start, end + k)
                    } else {
                        (start - k, end)
                    };
                    if moved >= 4 && best.is_none_or(|(m, _)| moved > m) {
                        best = Some((
                            moved,
                            Shift {
                                top: top as u16,
                                bottom: bottom as u16,
                                lines,
                            },
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    best.map(|(_, shift)| shift)
}

/// `ESC [ row ; col H` (1-based; the column left out when it is the first).
fn absolute(x: u16, y: u16) -> Vec<u8> {
    if x == 0 {
        format!("\x1b[{}H", u32::from(y) + 1).into_bytes()
    } else {
        format!("\x1b[{};{}H", u32::from(y) + 1, u32::from(x) + 1).into_bytes()
    }
}

/// `ESC [ n letter`, the count left out when it is 1.
fn csi_n(n: u16, letter: u8) -> Vec<u8> {
    let mut v = if n == 1 {
        b"\x1b[".to_vec()
    } else {
        format!("\x1b[{n}").into_bytes()
    };
    v.push(letter);
    v
}

/// No scroll region (the whole screen), and line feed mode off (LNM: a line feed moves
/// down only).
const RESET_LINE_FEEDS: &[u8] = b"\x1b[r\x1b[20l";

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut out: Vec<u8> = Vec::with_capacity(4096);
        if !self.drawn {
            self.drawn = true;
            if !self.fixed {
                self.size = self.inner.size().ok();
                self.shown = self.size.map(Shown::blank);
                // The line feeds `route` moves by need the whole screen as the scroll
                // region and line feeds that do not also return the carriage; a program
                // run before in this terminal may have left either set.
                out.extend_from_slice(RESET_LINE_FEEDS);
            }
        }
        let content: Vec<(u16, u16, Cell)> = content.map(|(x, y, c)| (x, y, c.clone())).collect();
        let content = self.scroll(content, &mut out);
        // As ratatui's own backend assumes: each frame starts plain, with the cursor
        // somewhere unknown.
        let mut pen = Pen::PLAIN;
        // The cell after the last one written, and whether the cursor is surely there.
        let mut cursor: Option<(u16, u16)> = None;
        let mut exact = false;
        for (x, y, cell) in &content {
            let (x, y) = (*x, *y);
            let next = Pen::of(cell);
            // The next cell along is written without a move, as ratatui's backend does.
            if cursor != Some((x, y)) {
                let from = cursor.filter(|_| exact);
                let (bytes, after) = self.route(from, x, y, pen, next);
                out.extend(bytes);
                pen = after;
            }
            sgr(pen, next, &mut out);
            pen = next;
            out.extend_from_slice(cell.symbol().as_bytes());
            // Only a plain ASCII cell moves the cursor by one column on every terminal:
            // moves relative to any other start from an absolute one.
            cursor = Some((x + 1, y));
            exact = rewritable(cell);
            if let Some(shown) = &mut self.shown {
                shown.set(x, y, cell);
                if width(cell) != 1 {
                    // A wide character covers the next cell, which ratatui does not send
                    // again: what shows there is no longer known.
                    shown.forget(x + 1, y);
                }
            }
        }
        sgr(pen, Pen::PLAIN, &mut out);
        self.inner.write_all(&out)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if !self.cursor_hidden {
            self.inner.hide_cursor()?;
            self.cursor_hidden = true;
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.cursor_hidden = false;
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        if !self.fixed && clear_type == ClearType::All {
            self.size = self.inner.size().ok();
        }
        self.shown = match (clear_type, self.size) {
            (ClearType::All, Some(size)) => Some(Shown::blank(size)),
            _ => None,
        };
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use proptest::prelude::*;
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    use ratatui::text::Span;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    use super::*;

    /// A cell of the model terminal: its text and its SGR state, as parameters.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Spot {
        text: String,
        pen: Vec<String>,
    }

    /// Just enough of a VT100 to read back what the backends write: cursor moves (CUP,
    /// CUU, CUD, CUF, CUB, CHA, CR, LF, BS), SGR, and text, wide characters taking two
    /// columns.
    struct Model {
        w: usize,
        h: usize,
        grid: Vec<Spot>,
        x: usize,
        y: usize,
        attrs: std::collections::BTreeSet<u8>,
        fg: String,
        bg: String,
        ul: String,
        /// The scroll region's first and last rows.
        top: usize,
        bottom: usize,
    }

    impl Model {
        fn new(w: u16, h: u16) -> Model {
            let mut m = Model {
                w: w.into(),
                h: h.into(),
                grid: Vec::new(),
                x: 0,
                y: 0,
                attrs: Default::default(),
                fg: String::new(),
                bg: String::new(),
                ul: String::new(),
                top: 0,
                bottom: usize::from(h) - 1,
            };
            m.reset_pen();
            m.grid = vec![m.spot(" "); m.w * m.h];
            m
        }

        fn reset_pen(&mut self) {
            self.attrs.clear();
            self.fg = "39".into();
            self.bg = "49".into();
            self.ul = "59".into();
        }

        fn spot(&self, text: &str) -> Spot {
            let mut pen: Vec<String> = self.attrs.iter().map(u8::to_string).collect();
            pen.extend([self.fg.clone(), self.bg.clone(), self.ul.clone()]);
            Spot {
                text: text.into(),
                pen,
            }
        }

        fn sgr(&mut self, params: &str) {
            let p: Vec<&str> = params.split(';').collect();
            let mut i = 0;
            while i < p.len() {
                let n: u8 = p[i].parse().unwrap_or(0);
                match n {
                    0 => self.reset_pen(),
                    1..=9 => {
                        self.attrs.insert(n);
                    }
                    22 => {
                        self.attrs.remove(&1);
                        self.attrs.remove(&2);
                    }
                    23 | 24 | 27 | 28 | 29 => {
                        self.attrs.remove(&(n - 20));
                    }
                    25 => {
                        self.attrs.remove(&5);
                        self.attrs.remove(&6);
                    }
                    38 | 48 | 58 => {
                        let len = if p[i + 1] == "5" { 3 } else { 5 };
                        let v = p[i..i + len].join(";");
                        match n {
                            38 => self.fg = v,
                            48 => self.bg = v,
                            _ => self.ul = v,
                        }
                        i += len - 1;
                    }
                    39 => self.fg = "39".into(),
                    49 => self.bg = "49".into(),
                    59 => self.ul = "59".into(),
                    _ => panic!("unexpected SGR {n}"),
                }
                i += 1;
            }
        }

        fn feed(&mut self, bytes: &[u8]) {
            let text = std::str::from_utf8(bytes).unwrap();
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\x1b' if chars.peek() == Some(&'D') => {
                        chars.next();
                        if self.y == self.bottom {
                            self.scroll(1);
                        } else {
                            self.y += 1;
                        }
                    }
                    '\x1b' if chars.peek() == Some(&'M') => {
                        chars.next();
                        if self.y == self.top {
                            self.scroll(-1);
                        } else {
                            self.y -= 1;
                        }
                    }
                    '\x1b' => {
                        assert_eq!(chars.next(), Some('['));
                        let mut params = String::new();
                        let fin = loop {
                            let c = chars.next().unwrap();
                            if c.is_ascii_alphabetic() {
                                break c;
                            }
                            params.push(c);
                        };
                        let n = |d: usize| params.parse::<usize>().unwrap_or(d);
                        match fin {
                            'H' => {
                                let mut it = params.split(';');
                                self.y = it.next().and_then(|v| v.parse().ok()).unwrap_or(1) - 1;
                                self.x = it.next().and_then(|v| v.parse().ok()).unwrap_or(1) - 1;
                            }
                            'A' => self.y -= n(1),
                            'B' => self.y += n(1),
                            'C' => self.x += n(1),
                            'D' => self.x -= n(1),
                            'G' => self.x = n(1) - 1,
                            'm' => self.sgr(if params.is_empty() { "0" } else { &params }),
                            'l' | 'h' if params.starts_with('?') => {}
                            'r' => {
                                let mut it = params.split(';');
                                self.top = it.next().and_then(|v| v.parse().ok()).unwrap_or(1) - 1;
                                self.bottom =
                                    it.next().and_then(|v| v.parse().ok()).unwrap_or(self.h) - 1;
                                (self.x, self.y) = (0, 0);
                            }
                            'J' => {
                                let blank = self.spot(" ");
                                self.grid.fill(blank);
                            }
                            other => panic!("unexpected CSI {params}{other}"),
                        }
                    }
                    '\r' => self.x = 0,
                    '\n' => {
                        if self.y == self.bottom {
                            self.scroll(1);
                        } else {
                            self.y += 1;
                        }
                    }
                    '\x08' => self.x = self.x.saturating_sub(1),
                    c => {
                        let s = c.to_string();
                        let width = Span::raw(s.as_str()).width().max(1);
                        assert!(self.x + width <= self.w, "wrote past the margin");
                        let at = self.y * self.w + self.x;
                        // Half of a wide character overwritten: a terminal blanks the
                        // other half (in a colour the test does not look at).
                        let erased = Spot {
                            text: " ".into(),
                            pen: vec!["*".into()],
                        };
                        if self.grid[at].text.is_empty() && self.x > 0 {
                            self.grid[at - 1] = erased.clone();
                        }
                        let end = at + width - 1;
                        if end + 1 < (self.y + 1) * self.w && self.grid[end + 1].text.is_empty() {
                            self.grid[end + 1] = erased;
                        }
                        self.grid[at] = self.spot(&s);
                        if width == 2 {
                            self.grid[at + 1] = self.spot("");
                        }
                        self.x += width;
                    }
                }
            }
        }

        /// Move the scroll region's rows up (`n` > 0) or down by one; the row scrolled
        /// in is blank, in the current colours.
        fn scroll(&mut self, n: isize) {
            let blank = self.spot(" ");
            let w = self.w;
            let mut rows: Vec<Vec<Spot>> = (self.top..=self.bottom)
                .map(|r| self.grid[r * w..(r + 1) * w].to_vec())
                .collect();
            if n > 0 {
                rows.remove(0);
                rows.push(vec![blank; w]);
            } else {
                rows.pop();
                rows.insert(0, vec![blank; w]);
            }
            for (i, row) in rows.into_iter().enumerate() {
                let r = self.top + i;
                self.grid[r * w..(r + 1) * w].clone_from_slice(&row);
            }
        }

        /// The screen as the buffer says it should be.
        fn check(&self, buffer: &ratatui::buffer::Buffer, name: &str) {
            for y in 0..self.h {
                let mut x = 0;
                while x < self.w {
                    let cell = &buffer[(x as u16, y as u16)];
                    let mut want = Model::new(1, 1);
                    want.attrs.clear();
                    for (m, on) in ATTRIBUTES {
                        if cell.modifier.contains(m) {
                            want.attrs.insert(on.parse().unwrap());
                        }
                    }
                    let color = |c: Colored| c.to_string();
                    want.fg = color(Colored::ForegroundColor(cell.fg.into_crossterm()));
                    want.bg = color(Colored::BackgroundColor(cell.bg.into_crossterm()));
                    want.ul = color(Colored::UnderlineColor(
                        cell.underline_color.into_crossterm(),
                    ));
                    let got = &self.grid[y * self.w + x];
                    let want = want.spot(cell.symbol());
                    if got.pen == ["*"] {
                        assert_eq!(got.text, want.text, "{name} at ({x}, {y})");
                    } else {
                        assert_eq!(got, &want, "{name} at ({x}, {y})");
                    }
                    x += Span::raw(cell.symbol()).width().max(1);
                }
            }
        }
    }

    const SYMBOLS: [&str; 7] = ["a", "b", " ", "7", "│", "…", "漢"];

    fn styles() -> [Style; 5] {
        [
            Style::new(),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED),
            Style::new()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::DIM),
            Style::new().bg(Color::DarkGray).fg(Color::White),
        ]
    }

    /// One frame: strings written at places, in styles.
    type Frame = Vec<(u16, u16, Vec<usize>, usize)>;

    fn frame() -> impl Strategy<Value = Frame> {
        prop::collection::vec(
            (
                0u16..12,
                0u16..4,
                prop::collection::vec(0..SYMBOLS.len(), 1..10),
                0..5usize,
            ),
            0..12,
        )
    }

    /// Where a backend's bytes go, for the model to read.
    #[derive(Clone, Default)]
    struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn take(&self) -> Vec<u8> {
            std::mem::take(&mut self.0.borrow_mut())
        }
    }

    /// A program run before in the same terminal may leave a scroll region or line feed
    /// mode set; the line feeds the backend moves by are only right without them.
    #[test]
    fn the_first_frame_on_a_terminal_clears_what_line_feeds_depend_on() {
        let out = Sink::default();
        let mut lean = LeanBackend::new(out.clone());
        let cell = Cell::new("x");
        lean.draw(std::iter::once((0, 0, &cell))).unwrap();
        let first = out.take();
        assert!(first.starts_with(RESET_LINE_FEEDS), "{first:?}");
        lean.draw(std::iter::once((1, 0, &cell))).unwrap();
        let second = out.take();
        assert!(
            !second
                .windows(RESET_LINE_FEEDS.len())
                .any(|w| w == RESET_LINE_FEEDS),
            "{second:?}"
        );
    }

    fn draw<B: Backend>(t: &mut Terminal<B>, frame: &Frame) -> ratatui::buffer::Buffer
    where
        B::Error: std::fmt::Debug,
    {
        t.draw(|f| {
            let area = f.area();
            for (x, y, text, style) in frame {
                let s: String = text.iter().map(|&i| SYMBOLS[i]).collect();
                f.buffer_mut().set_stringn(
                    *x,
                    *y,
                    s,
                    usize::from(area.width - x),
                    styles()[*style],
                );
            }
        })
        .unwrap()
        .buffer
        .clone()
    }

    proptest! {
        /// Frame after frame, the lean bytes leave the terminal showing what ratatui
        /// drew, as ratatui's own backend's do.
        #[test]
        fn the_screen_is_the_same_cell_for_cell(frames in prop::collection::vec(frame(), 1..8)) {
            let (w, h) = (12, 4);
            let viewport = || TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) };
            let (lean_out, plain_out) = (Sink::default(), Sink::default());
            let mut lean = Terminal::with_options(LeanBackend::with_size(lean_out.clone(), Size::new(w, h)), viewport()).unwrap();
            let mut plain = Terminal::with_options(CrosstermBackend::new(plain_out.clone()), viewport()).unwrap();
            let (mut lean_model, mut plain_model) = (Model::new(w, h), Model::new(w, h));
            let (mut lean_bytes, mut plain_bytes) = (0, 0);
            let wide = frames.iter().flatten().any(|(.., text, _)| text.contains(&(SYMBOLS.len() - 1)));
            for f in &frames {
                let buffer = draw(&mut lean, f);
                prop_assert_eq!(&draw(&mut plain, f), &buffer);
                let bytes = lean_out.take();
                lean_bytes += bytes.len();
                lean_model.feed(&bytes);
                let bytes = plain_out.take();
                plain_bytes += bytes.len();
                plain_model.feed(&bytes);
                // The same screen as ratatui's own backend leaves...
                prop_assert_eq!(&lean_model.grid, &plain_model.grid);
                // ...which is the buffer, but where a wide character's half was
                // overwritten (terminals blank the other half, which ratatui does not
                // track).
                if !wide {
                    lean_model.check(&buffer, "lean");
                }
            }
            prop_assert!(lean_bytes <= plain_bytes, "{lean_bytes} > {plain_bytes}");
        }
    }

    /// A list scrolled by one or two lines, up and down, on a screen whose rows it spans
    /// (a pane at 80 columns): the terminal moves the rows, the screen comes out the same
    /// as ratatui's own backend leaves it, for far fewer bytes.
    #[test]
    fn a_list_scrolled_across_the_whole_width_is_moved_by_the_terminal() {
        let (w, h) = (30u16, 10u16);
        let viewport = || TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        };
        let (lean_out, plain_out) = (Sink::default(), Sink::default());
        let mut lean = Terminal::with_options(
            LeanBackend::with_size(lean_out.clone(), Size::new(w, h)),
            viewport(),
        )
        .unwrap();
        let mut plain =
            Terminal::with_options(CrosstermBackend::new(plain_out.clone()), viewport()).unwrap();
        let (mut lean_model, mut plain_model) = (Model::new(w, h), Model::new(w, h));
        let list = |f: &mut ratatui::Frame, first: usize, selected: usize| {
            let buf = f.buffer_mut();
            buf.set_string(0, 0, format!("Received ({first})"), Style::new());
            for row in 0..8u16 {
                let n = first + usize::from(row);
                let style = if n == selected {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else if n.is_multiple_of(3) {
                    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
                } else {
                    Style::new()
                };
                let text = format!("│RMA-2026-{:05} Pad {:>8}│", n * 7919 % 99991, n * 31);
                buf.set_string(0, row + 1, text, style);
            }
            buf.set_string(0, 9, format!("{first}-{} of 99", first + 8), Style::new());
        };
        let (mut lean_bytes, mut plain_bytes) = (0, 0);
        for (first, selected) in [(0, 7), (1, 8), (2, 9), (4, 11), (3, 3), (1, 1), (0, 0)] {
            let buffer = lean
                .draw(|f| list(f, first, selected))
                .unwrap()
                .buffer
                .clone();
            plain.draw(|f| list(f, first, selected)).unwrap();
            let bytes = lean_out.take();
            lean_bytes += bytes.len();
            lean_model.feed(&bytes);
            let bytes = plain_out.take();
            plain_bytes += bytes.len();
            plain_model.feed(&bytes);
            plain_model.check(&buffer, "plain");
            lean_model.check(&buffer, "lean");
        }
        assert!(
            lean_bytes * 2 < plain_bytes,
            "{lean_bytes} B, ratatui's backend {plain_bytes} B"
        );
    }

    /// A pane beside others, scrolled: on each row a few characters changed at about
    /// the same column. The cursor goes from row to row by a line feed and a few
    /// backspaces (or a column's number), not by an absolute move each time, and the
    /// screen comes out the same.
    #[test]
    fn a_pane_beside_others_is_walked_down_by_line_feeds() {
        let (w, h) = (60u16, 12u16);
        let out = Sink::default();
        let mut t = Terminal::with_options(
            LeanBackend::with_size(out.clone(), Size::new(w, h)),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
            },
        )
        .unwrap();
        let mut model = Model::new(w, h);
        let pane = |f: &mut ratatui::Frame, first: usize| {
            let buf = f.buffer_mut();
            buf.set_string(0, 0, "left pane", Style::new());
            buf.set_string(45, 0, "right pane", Style::new());
            for row in 0..10u16 {
                let n = first + usize::from(row);
                let x = if n.is_multiple_of(4) { "x" } else { "" };
                let text = format!("RMA-2026-{:05} {x:<4}", 1000 + n * 37);
                buf.set_string(20, row + 1, text, Style::new());
            }
        };
        let mut sizes = Vec::new();
        for first in 0..4 {
            let buffer = t.draw(|f| pane(f, first)).unwrap().buffer.clone();
            let bytes = out.take();
            sizes.push(bytes.len());
            model.feed(&bytes);
            model.check(&buffer, "lean");
            if first > 0 {
                let text = String::from_utf8(bytes).unwrap();
                let absolute = text.matches('H').count();
                assert_eq!(absolute, 1, "{text:?}");
                assert!(text.contains("\n\x08"), "{text:?}");
            }
        }
        // Each row: two or three digits and at most the mark, and a move of a few bytes.
        assert!(sizes[1..].iter().all(|&n| n <= 10 + 10 * 9), "{sizes:?}");
    }

    /// Rows moved up (> 0) or down, then some rows (by index) given new text.
    type Move = (i8, Vec<(u16, Vec<usize>)>);

    /// Rows of random text, each frame the last one moved up or down by 0-2 rows with
    /// some rows then changed: the scroll regions leave the same screen as ratatui's own
    /// backend, wide characters and all.
    fn moving_rows() -> impl Strategy<Value = (Vec<Vec<usize>>, Vec<Move>)> {
        // Wide characters come only with the edits, so that most rows can be moved.
        let row = || prop::collection::vec(0..SYMBOLS.len() - 1, 12);
        (
            prop::collection::vec(row(), 10),
            prop::collection::vec(
                (
                    -2i8..=2,
                    prop::collection::vec(
                        (0u16..10, prop::collection::vec(0..SYMBOLS.len(), 1..6)),
                        0..3,
                    ),
                ),
                1..6,
            ),
        )
    }

    proptest! {
        #[test]
        fn scrolled_rows_come_out_the_same((start, moves) in moving_rows()) {
            let (w, h) = (12u16, 10u16);
            let viewport = || TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) };
            let (lean_out, plain_out) = (Sink::default(), Sink::default());
            let mut lean = Terminal::with_options(LeanBackend::with_size(lean_out.clone(), Size::new(w, h)), viewport()).unwrap();
            let mut plain = Terminal::with_options(CrosstermBackend::new(plain_out.clone()), viewport()).unwrap();
            let (mut lean_model, mut plain_model) = (Model::new(w, h), Model::new(w, h));
            let mut rows = start;
            let mut frames = vec![rows.clone()];
            for (shift, edits) in &moves {
                let k = usize::from(shift.unsigned_abs());
                if *shift > 0 {
                    rows.rotate_left(k);
                } else {
                    rows.rotate_right(k);
                }
                for (r, text) in edits {
                    rows[usize::from(*r)] = text.clone();
                }
                frames.push(rows.clone());
            }
            let wide = frames.iter().flatten().any(|r| r.contains(&(SYMBOLS.len() - 1)));
            for frame in &frames {
                let paint = |f: &mut ratatui::Frame| {
                    for (y, text) in frame.iter().enumerate() {
                        let s: String = text.iter().map(|&i| SYMBOLS[i]).collect();
                        let style = styles()[text.first().copied().unwrap_or(0) % 5];
                        f.buffer_mut().set_stringn(0, y as u16, s, usize::from(w), style);
                    }
                };
                let buffer = lean.draw(paint).unwrap().buffer.clone();
                plain.draw(paint).unwrap();
                lean_model.feed(&lean_out.take());
                plain_model.feed(&plain_out.take());
                prop_assert_eq!(&lean_model.grid, &plain_model.grid);
                if !wide {
                    lean_model.check(&buffer, "lean");
                }
            }
        }
    }
}

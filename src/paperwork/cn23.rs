//! The bill laid out as a CN 23 customs declaration on A4: sender and addressee boxes,
//! the category of item ticked, one table line per device, totals, the declaration
//! with place, date and a signature line. A long parcel goes on over further pages,
//! the table's headings repeated.

use super::bill::Bill;
use super::pdf::{FontBook, Mark, PAGE_H};

const LEFT: f32 = 15.0;
const RIGHT: f32 = 195.0;
const MID: f32 = 105.0;
/// Below this the page is full (the footer is under it).
const BOTTOM: f32 = PAGE_H - 22.0;

/// The table's columns: left edge and width in mm (180 mm in all).
const COLUMNS: [(f32, f32); 8] = [
    (LEFT, 48.0),
    (63.0, 31.0),
    (94.0, 28.0),
    (122.0, 9.0),
    (131.0, 13.0),
    (144.0, 21.0),
    (165.0, 17.0),
    (182.0, 13.0),
];

/// The categories a CN 23 offers; a bill ticks "Returned goods".
const CATEGORIES: [&str; 6] = [
    "Gift",
    "Documents",
    "Commercial sample",
    "Returned goods",
    "Sale of goods",
    "Other",
];

struct Pages<'a> {
    book: &'a mut FontBook,
    done: Vec<Vec<Mark>>,
    marks: Vec<Mark>,
}

impl Pages<'_> {
    fn text(&mut self, bold: bool, size: f32, x: f32, top: f32, s: &str) {
        self.marks.push(Mark::Text {
            bold,
            size,
            x,
            top,
            text: s.to_string(),
        });
    }

    fn line(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        self.marks.push(Mark::Line {
            from: (x1, y),
            to: (x2, y),
            width,
        });
    }

    fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        self.marks.push(Mark::Frame {
            rect: (x, y, w, h),
            width,
        });
    }

    /// `text` wrapped to `width` mm at `size` points.
    fn wrap(&mut self, bold: bool, size: f32, width: f32, text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.book.width(bold, size, &candidate) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word longer than the line is cut where it must be (an address in
            // Chinese has no spaces).
            let mut rest = String::new();
            for c in word.chars() {
                rest.push(c);
                if self.book.width(bold, size, &rest) > width && rest.chars().count() > 1 {
                    rest.pop();
                    lines.push(std::mem::take(&mut rest));
                    rest.push(c);
                }
            }
            line = rest;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Wrapped lines in `(bold, size)` from `top`, `leading` mm apart; the baseline
    /// after the last.
    fn para(
        &mut self,
        (bold, size): (bool, f32),
        x: f32,
        width: f32,
        top: f32,
        leading: f32,
        text: &str,
    ) -> f32 {
        let mut y = top;
        for l in self.wrap(bold, size, width, text) {
            self.text(bold, size, x, y, &l);
            y += leading;
        }
        y
    }

    fn new_page(&mut self) {
        let page = std::mem::take(&mut self.marks);
        self.done.push(page);
    }
}

/// The pages of `bill`'s declaration.
pub(crate) fn layout(bill: &Bill, book: &mut FontBook) -> Vec<Vec<Mark>> {
    let c = bill.content();
    let mut p = Pages {
        book,
        done: Vec::new(),
        marks: Vec::new(),
    };

    // Heading: the form's name on the left, the bill and the parcel on the right.
    p.text(true, 15.0, LEFT, 20.0, &c.title);
    p.text(false, 8.0, LEFT, 25.0, &c.subtitle);
    p.text(true, 11.0, 130.0, 18.0, &format!("Bill {}", bill.label()));
    p.text(false, 9.0, 130.0, 23.5, "Item number (S10)");
    p.text(true, 11.0, 130.0, 28.5, &bill.tracking_out);
    p.line(LEFT, RIGHT, 31.5, 1.0);

    // Sender and addressee, side by side in frames.
    let top = 34.0;
    let mut ends = [0.0f32; 2];
    for (i, (label, lines)) in [("From (sender)", &c.from), ("To (addressee)", &c.to)]
        .into_iter()
        .enumerate()
    {
        let x = if i == 0 { LEFT } else { MID };
        p.text(false, 7.5, x + 2.0, top + 4.0, label);
        let mut y = top + 9.0;
        for (n, line) in lines.iter().enumerate() {
            y = p.para((n == 0, 9.5), x + 2.0, MID - LEFT - 4.0, y, 4.6, line);
        }
        ends[i] = y;
    }
    let bottom = ends[0].max(ends[1]) - 1.5;
    p.frame(LEFT, top, MID - LEFT, bottom - top, 0.6);
    p.frame(MID, top, RIGHT - MID, bottom - top, 0.6);

    // Category of item: every box of the form, "Returned goods" ticked.
    let mut y = bottom + 7.0;
    p.text(true, 9.0, LEFT, y, "Category of item");
    let mut x = LEFT + p.book.width(true, 9.0, "Category of item") + 3.0;
    for cat in CATEGORIES {
        p.frame(x, y - 2.9, 3.2, 3.2, 0.5);
        if cat == super::bill::CATEGORY {
            p.text(true, 8.5, x + 0.55, y - 0.1, "X");
        }
        p.text(cat == super::bill::CATEGORY, 8.0, x + 4.5, y, cat);
        x += 4.5 + p.book.width(cat == super::bill::CATEGORY, 8.0, cat) + 3.5;
    }
    y += 6.0;
    p.text(true, 9.0, LEFT, y, "Explanation");
    y = p.para(
        (false, 9.0),
        LEFT + 30.0,
        RIGHT - LEFT - 30.0,
        y,
        4.4,
        &c.explanation,
    );
    y += 3.0;

    // The table of contents, one line per device.
    let header = |p: &mut Pages<'_>, top: f32| -> f32 {
        p.line(LEFT, RIGHT, top, 0.8);
        let mut low = top;
        for (h, (x, w)) in c.columns.iter().zip(COLUMNS) {
            let end = p.para((true, 7.5), x + 0.8, w - 1.6, top + 3.8, 3.4, h);
            low = low.max(end);
        }
        p.line(LEFT, RIGHT, low - 1.6, 0.5);
        low + 2.0
    };
    y = header(&mut p, y);
    for row in &c.rows {
        let cells: Vec<Vec<String>> = row
            .iter()
            .zip(COLUMNS)
            .map(|(cell, (_, w))| p.wrap(false, 8.5, w - 1.6, cell))
            .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * 3.9 + 2.2;
        if y + height > BOTTOM {
            p.new_page();
            p.text(true, 11.0, LEFT, 20.0, &format!("{} (continued)", c.title));
            p.text(
                false,
                9.0,
                130.0,
                20.0,
                &format!("Bill {}, {}", bill.label(), bill.tracking_out),
            );
            y = header(&mut p, 25.0);
        }
        for (lines, (x, _)) in cells.iter().zip(COLUMNS) {
            for (n, l) in lines.iter().enumerate() {
                p.text(false, 8.5, x + 0.8, y + n as f32 * 3.9, l);
            }
        }
        y += height;
        p.line(LEFT, RIGHT, y - 3.3, 0.25);
    }

    // Totals, the declaration and the signature: kept together.
    let declaration = p.wrap(false, 8.5, RIGHT - LEFT, &c.declaration);
    let needed = 8.0 + 5.5 * c.totals.len() as f32 + 4.0 * declaration.len() as f32 + 26.0;
    if y + needed > BOTTOM {
        p.new_page();
        p.text(true, 11.0, LEFT, 20.0, &format!("{} (continued)", c.title));
        y = 28.0;
    }
    y += 3.0;
    for (label, value) in &c.totals {
        p.text(true, 9.5, 110.0, y, label);
        p.text(true, 9.5, 160.0, y, value);
        y += 5.5;
    }
    p.line(LEFT, RIGHT, y - 2.0, 0.8);
    y += 4.0;
    for l in &declaration {
        p.text(false, 8.5, LEFT, y, l);
        y += 4.0;
    }
    y += 10.0;
    p.text(
        false,
        9.5,
        LEFT,
        y,
        &format!("Place and date: {}", c.place_date),
    );
    p.line(125.0, RIGHT, y + 0.8, 0.5);
    p.text(false, 7.5, 125.0, y + 4.5, "Sender's signature");

    p.new_page();
    let total = p.done.len();
    let mut pages = std::mem::take(&mut p.done);
    for (i, page) in pages.iter_mut().enumerate() {
        page.push(Mark::Text {
            bold: false,
            size: 7.5,
            x: LEFT,
            top: PAGE_H - 12.0,
            text: format!(
                "CN 23, bill {}, {} {}, page {} of {total}",
                bill.label(),
                bill.pieces(),
                if bill.pieces() == 1 {
                    "piece"
                } else {
                    "pieces"
                },
                i + 1
            ),
        });
    }
    pages
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::paperwork::bill::{BillItem, DeviceKind, Party};
    use crate::paperwork::pdf::{FontChoice, render};

    /// A reseller's parcel of `n` devices, every third returned unrepaired.
    pub(crate) fn big_parcel(n: usize) -> Bill {
        Bill {
            number: 42,
            issued_at: Utc.with_ymd_and_hms(2026, 3, 20, 9, 0, 0).unwrap(),
            tracking_out: "RR123456785CN".into(),
            sender: Party {
                name: Some("CECT-SHOP".into()),
                address: vec!["Unit 5, 12 Example Road".into(), "518000 Shenzhen".into()],
                country: None,
                phone: Some("+86 755 1234 5678".into()),
            },
            addressee: Party {
                name: Some("Łukasiewicz Sp. z o.o.".into()),
                address: vec!["ul. Żółkiewskiego 12".into(), "00-001 Warszawa".into()],
                country: Some("PL".into()),
                phone: Some("+48 22 123 45 67".into()),
            },
            currency: "EUR".into(),
            place: "Shenzhen".into(),
            packaging_g: Some(400),
            items: (0..n)
                .map(|i| BillItem {
                    case_id: i as i64 + 1,
                    rma: format!("RMA-2026-{:05}", i + 1),
                    order_number: format!("SO-{i}"),
                    model: if i % 2 == 0 {
                        "CECT P30 Pro"
                    } else {
                        "CECT Tab 8"
                    }
                    .into(),
                    kind: Some(if i % 2 == 0 {
                        DeviceKind::Phone
                    } else {
                        DeviceKind::Tablet
                    }),
                    imei: crate::demo::make_imei(35_209_611, i as u32).to_string(),
                    quantity: 1,
                    net_weight_g: Some(if i % 2 == 0 { 200 } else { 500 }),
                    value_cents: 0,
                    hs_code: Some(if i % 2 == 0 { "8517.13" } else { "8471.30" }.into()),
                    origin: Some("CN".into()),
                    reason: if i % 3 == 2 {
                        "Returned unrepaired, no commercial value"
                    } else {
                        "Warranty repair, no commercial value"
                    }
                    .into(),
                    unrepaired: i % 3 == 2,
                })
                .collect(),
        }
    }

    fn text_of(pdf: &[u8]) -> (usize, String) {
        let doc = lopdf::Document::load_mem(pdf).unwrap();
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let text = doc.extract_text(&pages).unwrap();
        (
            pages.len(),
            text.split_whitespace().collect::<Vec<_>>().join(" "),
        )
    }

    #[test]
    fn a_parcel_of_many_devices_goes_on_over_pages_listing_each() {
        let bill = big_parcel(30);
        let fonts = FontChoice {
            files: Vec::new(),
            system: false,
        };
        let r = render(&bill, &fonts, Utc::now());
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        if let Some(path) = std::env::var_os("RMABOARD_SAMPLE_PDF") {
            std::fs::write(path, &r.bytes).unwrap();
        }
        let (pages, text) = text_of(&r.bytes);
        assert!(pages >= 2, "{pages}");
        for item in &bill.items {
            assert!(
                text.contains(&item.rma) && text.contains(&item.imei),
                "{}",
                item.rma
            );
        }
        for expected in [
            "Łukasiewicz Sp. z o.o.",
            "ul. Żółkiewskiego 12",
            "Tel. +48 22 123 45 67",
            "CECT Tab 8 tablet (returned unrepaired)",
            "Warranty repair, no commercial value; Returned unrepaired, no commercial value",
            "Total pieces 30",
            "Total gross weight (kg) 10.900",
            "Total value EUR 0.00",
            &format!("page {pages} of {pages}"),
        ] {
            assert!(text.contains(expected), "{expected:?} missing: {text}");
        }
    }

    #[test]
    fn an_unrepaired_device_is_never_called_a_repair() {
        let mut bill = big_parcel(1);
        bill.items[0].unrepaired = true;
        bill.items[0].reason = "Returned unrepaired, no commercial value".into();
        let text = bill.text();
        assert!(!text.to_lowercase().contains(" repair,"), "{text}");
        assert!(
            text.contains("Explanation:             Returned unrepaired, no commercial value"),
            "{text}"
        );
    }
}

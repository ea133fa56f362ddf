//! The bill as an A4 PDF ready to print. The font is embedded (DejaVu Sans, carried in
//! the binary), so the document looks the same on every printer and needs no font on
//! the server.

use printpdf::{
    Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, TextItem,
};

use thiserror::Error;

use super::bill::Bill;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const LEFT: f32 = 20.0;
const RIGHT: f32 = 190.0;

/// The font built into rmaboard could not be read, so no PDF was drawn.
#[derive(Debug, Error)]
#[error(
    "the embedded font could not be read, so no PDF was made; print the plain text with `rmaboard bill KEY` instead"
)]
pub struct FontError;

struct Fonts {
    regular: PdfFontHandle,
    bold: PdfFontHandle,
}

/// Where the next line goes, from the top of the page in mm.
struct Page {
    ops: Vec<Op>,
    fonts: Fonts,
}

impl Page {
    fn text(&mut self, bold: bool, size: f32, x: f32, top: f32, s: &str) {
        let font = if bold {
            self.fonts.bold.clone()
        } else {
            self.fonts.regular.clone()
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font,
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(PAGE_H - top)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    fn rule(&mut self, top: f32, thickness: f32) {
        let p = |x: f32| LinePoint {
            p: Point::new(Mm(x), Mm(PAGE_H - top)),
            bezier: false,
        };
        self.ops.extend([
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![p(LEFT), p(RIGHT)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// Label and wrapped value; returns the top of the next row.
    fn row(
        &mut self,
        x: f32,
        value_x: f32,
        chars: usize,
        top: f32,
        label: &str,
        value: &str,
    ) -> f32 {
        self.text(true, 10.0, x, top, label);
        let mut y = top;
        for line in wrap(value, chars) {
            self.text(false, 10.0, value_x, y, &line);
            y += 5.0;
        }
        y.max(top + 5.0) + 1.5
    }
}

/// The bill as PDF bytes.
pub fn render(bill: &Bill) -> Result<Vec<u8>, FontError> {
    let mut warnings = Vec::new();
    let regular = ParsedFont::from_bytes(REGULAR, 0, &mut warnings).ok_or(FontError)?;
    let bold = ParsedFont::from_bytes(BOLD, 0, &mut warnings).ok_or(FontError)?;
    let c = bill.content();
    let mut doc = PdfDocument::new(&format!("{} {}", c.title, bill.label()));
    let fonts = Fonts {
        regular: PdfFontHandle::External(doc.add_font(&regular)),
        bold: PdfFontHandle::External(doc.add_font(&bold)),
    };
    let mut page = Page {
        ops: Vec::new(),
        fonts,
    };

    // Sender.
    let mut y = 22.0;
    let mut from = c.from.iter();
    if let Some(name) = from.next() {
        page.text(true, 14.0, LEFT, y, name);
        y += 6.5;
    }
    for line in from {
        for part in wrap(line, 60) {
            page.text(false, 10.0, LEFT, y, &part);
            y += 5.0;
        }
    }

    // Title and the shipment's facts, the receiver beside them.
    y += 8.0;
    page.text(true, 18.0, LEFT, y, &c.title);
    y += 4.0;
    page.rule(y, 1.0);
    y += 9.0;
    let top = y;
    for (label, value) in &c.facts {
        y = page.row(LEFT, LEFT + 38.0, 26, y, label, value);
    }
    let mut ty = top;
    page.text(true, 10.0, 122.0, ty, "Ship to");
    ty += 6.0;
    for line in &c.to {
        for part in wrap(line, 34) {
            page.text(false, 10.0, 122.0, ty, &part);
            ty += 5.0;
        }
    }

    // The goods.
    y = y.max(ty) + 6.0;
    page.text(true, 12.0, LEFT, y, "Contents");
    y += 3.0;
    page.rule(y, 0.5);
    y += 7.0;
    for (label, value) in &c.item {
        y = page.row(LEFT, LEFT + 38.0, 60, y, label, value);
    }
    y += 1.0;
    page.rule(y, 0.5);
    y += 7.0;
    let (label, value) = &c.total;
    page.text(true, 11.0, LEFT, y, label);
    page.text(true, 11.0, LEFT + 60.0, y, value);

    y += 16.0;
    for line in wrap(&c.footer, 90) {
        page.text(false, 9.0, LEFT, y, &line);
        y += 4.5;
    }

    let bytes = doc
        .with_pages(vec![PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), page.ops)])
        .save(&PdfSaveOptions::default(), &mut Vec::new());
    Ok(bytes)
}

/// Word-wrap to at most `chars` characters per line; longer words are cut.
fn wrap(text: &str, chars: usize) -> Vec<String> {
    let chars = chars.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: String = word.to_string();
        while word.chars().count() > chars {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(chars).collect();
            word = word.chars().skip(chars).collect();
            lines.push(head);
        }
        if line.is_empty() {
            line = word;
        } else if line.chars().count() + 1 + word.chars().count() <= chars {
            line.push(' ');
            line.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut line, word));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
    }
}

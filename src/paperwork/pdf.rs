//! A small PDF writer for pages of text and rules on A4: `pdf-writer` writes the file,
//! `subsetter` cuts each font down to the glyphs the page uses, `ttf-parser` reads the
//! fonts. The bill itself is laid out in `cn23`.
//!
//! Text is drawn with the built-in DejaVu Sans (carried in the binary, so a bill looks
//! the same on every server). A character it lacks (a reseller named 张伟) is looked up
//! in the fonts of `[paperwork] fonts`, in order, then in the machine's fonts through
//! fontconfig (`fc-match`, when `[paperwork] system_fonts` is on). A character no font
//! has is printed as `?` and named in a warning: the document is still written.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Timelike, Utc};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use serde::{Deserialize, Serialize};

use super::bill::Bill;

/// The page's width in millimetres (A4).
pub const PAGE_W: f32 = 210.0;
/// The page's height in millimetres (A4).
pub const PAGE_H: f32 = 297.0;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// What a character no font has is printed as.
pub const STAND_IN: char = '?';

/// Something drawn on a page. Positions in mm from the page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A line of text; `top` is its baseline.
    Text {
        /// Bold or regular.
        bold: bool,
        /// Size in points.
        size: f32,
        /// Left edge.
        x: f32,
        /// Baseline, from the top of the page.
        top: f32,
        /// What it says.
        text: String,
    },
    /// A straight line.
    Line {
        /// Start (x, y).
        from: (f32, f32),
        /// End (x, y).
        to: (f32, f32),
        /// Thickness in points.
        width: f32,
    },
    /// A rectangle's outline: left, top, width, height.
    Frame {
        /// Left, top, width, height.
        rect: (f32, f32, f32, f32),
        /// Thickness in points.
        width: f32,
    },
}

/// Which fonts may be used besides the built-in one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FontChoice {
    /// `[paperwork] fonts`: files tried in order for characters DejaVu Sans lacks.
    pub files: Vec<PathBuf>,
    /// Ask fontconfig for the machine's fonts after those.
    pub system: bool,
}

/// A PDF and what the person printing it should know.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Sentences: characters no font has, fonts that could not be read.
    pub warnings: Vec<String>,
}

struct Face {
    data: Arc<Cow<'static, [u8]>>,
    index: u32,
    upem: f32,
    bold: bool,
    /// From `[paperwork] fonts` (tried before the machine's).
    configured: bool,
    origin: String,
}

/// A font's glyph for a character: which face, the glyph id, its advance in font units.
#[derive(Debug, Clone, Copy)]
struct Glyph {
    face: usize,
    id: u16,
    advance: u16,
}

/// The fonts of one document: the built-in pair first, then fallbacks found as needed.
pub struct FontBook {
    faces: Vec<Face>,
    /// Per (bold, char): its glyph, or `None` when no font has it.
    glyphs: HashMap<(bool, char), Option<Glyph>>,
    choice: FontChoice,
    /// Font files (and faces) already added or asked for.
    tried: BTreeSet<(PathBuf, u32)>,
    configured_loaded: bool,
    missing: BTreeSet<char>,
    warnings: Vec<String>,
}

impl FontBook {
    /// The built-in fonts, with the fallbacks `choice` allows.
    pub fn new(choice: FontChoice) -> FontBook {
        let builtin = |data: &'static [u8], origin: &str| Face {
            data: Arc::new(Cow::Borrowed(data)),
            index: 0,
            upem: ttf_parser::Face::parse(data, 0).map_or(2048.0, |f| f32::from(f.units_per_em())),
            bold: data.as_ptr() == BOLD.as_ptr(),
            configured: false,
            origin: origin.to_string(),
        };
        FontBook {
            faces: vec![
                builtin(REGULAR, "DejaVu Sans (built in)"),
                builtin(BOLD, "DejaVu Sans Bold (built in)"),
            ],
            glyphs: HashMap::new(),
            choice,
            tried: BTreeSet::new(),
            configured_loaded: false,
            missing: BTreeSet::new(),
            warnings: Vec::new(),
        }
    }

    /// Find a font for every character of `text` (each character is looked for once).
    pub fn cover(&mut self, bold: bool, text: &str) {
        for c in text.chars() {
            if self.glyphs.contains_key(&(bold, c)) {
                continue;
            }
            let found = self.find(bold, c);
            if found.is_none() && self.missing.insert(c) {
                self.warnings.push(format!(
                    "no font has the character '{}' (U+{:04X}): it was printed as '{STAND_IN}'",
                    if c.is_control() { ' ' } else { c },
                    u32::from(c)
                ));
            }
            self.glyphs.insert((bold, c), found);
        }
    }

    fn find(&mut self, bold: bool, c: char) -> Option<Glyph> {
        // Its own weight first, then the other built-in one; of the fonts added, those
        // of its own weight (a bold fallback is no answer for regular text while the
        // machine may have the regular one).
        let own = usize::from(bold);
        if let Some(g) = [own, 1 - own].into_iter().find_map(|i| self.lookup(i, c)) {
            return Some(g);
        }
        let same_weight = |f: &Face| f.bold == bold;
        if let Some(g) = (2..self.faces.len())
            .filter(|&i| same_weight(&self.faces[i]))
            .find_map(|i| self.lookup(i, c))
        {
            return Some(g);
        }
        let found = self.find_added(bold, c);
        found.or_else(|| (2..self.faces.len()).find_map(|i| self.lookup(i, c)))
    }

    /// Look in the configured fonts (read the first time), whatever their weight, then
    /// ask fontconfig.
    fn find_added(&mut self, bold: bool, c: char) -> Option<Glyph> {
        if !self.configured_loaded {
            self.configured_loaded = true;
            for path in self.choice.files.clone() {
                self.add_file(&path, None, true);
            }
        }
        let configured = (2..self.faces.len())
            .filter(|&i| self.faces[i].configured)
            .find_map(|i| self.lookup(i, c));
        if configured.is_some() {
            return configured;
        }
        if self.choice.system
            && let Some((path, index)) = fontconfig_match(c, bold)
            && !self.tried.contains(&(path.clone(), index))
        {
            let before = self.faces.len();
            self.add_file(&path, Some(index), false);
            return (before..self.faces.len()).find_map(|i| self.lookup(i, c));
        }
        None
    }

    fn lookup(&self, face: usize, c: char) -> Option<Glyph> {
        let f = self.faces.get(face)?;
        let parsed = ttf_parser::Face::parse(&f.data, f.index).ok()?;
        let id = parsed.glyph_index(c)?;
        if id.0 == 0 {
            return None;
        }
        Some(Glyph {
            face,
            id: id.0,
            advance: parsed.glyph_hor_advance(id).unwrap_or(0),
        })
    }

    /// Add the faces of a font file: every face of a collection, or the one at `index`.
    fn add_file(&mut self, path: &Path, index: Option<u32>, configured: bool) {
        self.tried
            .insert((path.to_path_buf(), index.unwrap_or(u32::MAX)));
        let data = match read_font(path) {
            Ok(d) => Arc::new(Cow::Owned(d)),
            Err(e) => {
                self.warnings.push(format!(
                    "the font {} could not be read ({e}): characters only it has are printed as '{STAND_IN}'",
                    path.display()
                ));
                return;
            }
        };
        let indexes: Vec<u32> = match index {
            Some(i) => vec![i],
            None => (0..ttf_parser::fonts_in_collection(&data).unwrap_or(1)).collect(),
        };
        let mut any = false;
        for i in indexes {
            if let Ok(face) = ttf_parser::Face::parse(&data, i) {
                self.tried.insert((path.to_path_buf(), i));
                self.faces.push(Face {
                    data: data.clone(),
                    index: i,
                    upem: f32::from(face.units_per_em()),
                    bold: face.is_bold(),
                    configured,
                    origin: path.display().to_string(),
                });
                any = true;
            }
        }
        if !any {
            self.warnings.push(format!(
                "{} is not a font rmaboard can read (TrueType or OpenType): characters only it has are printed as '{STAND_IN}'",
                path.display()
            ));
        }
    }

    fn glyph(&self, bold: bool, c: char) -> Option<Glyph> {
        self.glyphs.get(&(bold, c)).copied().flatten()
    }

    /// The glyph printed for `c`: its own, or the stand-in's.
    fn printed(&self, bold: bool, c: char) -> Option<(Glyph, char)> {
        match self.glyph(bold, c) {
            Some(g) => Some((g, c)),
            None => self
                .lookup(usize::from(bold), STAND_IN)
                .map(|g| (g, STAND_IN)),
        }
    }

    /// The width of `text` at `size` points, in mm.
    pub fn width(&mut self, bold: bool, size: f32, text: &str) -> f32 {
        self.cover(bold, text);
        let mut w = 0.0;
        for c in text.chars() {
            if let Some((g, _)) = self.printed(bold, c) {
                w += f32::from(g.advance) / self.faces[g.face].upem * size;
            }
        }
        w * 25.4 / 72.0
    }

    /// What was found wrong while looking for fonts, each once.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// A font file, refused when larger than 64 MB (no font is; a wrong path might be).
fn read_font(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    const MAX: u64 = 64 << 20;
    let mut data = Vec::new();
    std::fs::File::open(path)?
        .take(MAX + 1)
        .read_to_end(&mut data)?;
    if data.len() as u64 > MAX {
        return Err(std::io::Error::other("it is larger than 64 MB"));
    }
    Ok(data)
}

/// The font fontconfig picks for a character, if fontconfig is installed and has one.
/// Han characters ask for the Simplified Chinese shapes: the shop is in China.
fn fontconfig_match(c: char, bold: bool) -> Option<(PathBuf, u32)> {
    let han = matches!(u32::from(c), 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF);
    let pattern = format!(
        "sans-serif:charset={:x}{}{}",
        u32::from(c),
        if bold { ":weight=bold" } else { "" },
        if han { ":lang=zh-cn" } else { "" }
    );
    let out = run_briefly(
        Command::new("fc-match").args(["--format", "%{file}\t%{index}", &pattern]),
        Duration::from_secs(20),
    )?;
    let (file, index) = out.trim().split_once('\t')?;
    Some((PathBuf::from(file), index.parse().ok()?))
}

/// A command's standard output, or `None` when it cannot run, fails or takes too long.
fn run_briefly(cmd: &mut Command, limit: Duration) -> Option<String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut out = String::new();
                std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
                return status.success().then_some(out);
            }
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// Points from millimetres.
fn pt(mm: f32) -> f32 {
    mm * 72.0 / 25.4
}

/// The glyphs of one face the document uses.
#[derive(Default)]
struct Used {
    remap: subsetter::GlyphRemapper,
    /// Glyph id in the subset -> the text it stands for.
    text: BTreeMap<u16, char>,
    /// Glyph id in the subset -> advance in font units.
    advance: BTreeMap<u16, u16>,
}

/// The bill as an A4 PDF, made at `at` (its creation date), with the warnings of its
/// fonts.
pub fn render(bill: &Bill, fonts: &FontChoice, at: DateTime<Utc>) -> Rendered {
    let mut book = FontBook::new(fonts.clone());
    let pages = super::cn23::layout(bill, &mut book);
    let title = format!("Customs declaration CN 23, bill {}", bill.label());
    draw(&pages, &mut book, &title, at)
}

/// Draw `pages` into a PDF titled `title`, created at `at`.
pub fn draw(pages: &[Vec<Mark>], book: &mut FontBook, title: &str, at: DateTime<Utc>) -> Rendered {
    for page in pages {
        for m in page {
            if let Mark::Text { bold, text, .. } = m {
                book.cover(*bold, text);
            }
        }
    }
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut used: BTreeMap<usize, Used> = BTreeMap::new();
    let mut streams = Vec::new();
    for page in pages {
        let mut c = Content::new();
        for m in page {
            match m {
                Mark::Text {
                    bold,
                    size,
                    x,
                    top,
                    text,
                } => {
                    // Runs of one face each: (face, glyph ids as 2 bytes each, advance).
                    let mut runs: Vec<(usize, Vec<u8>, f32)> = Vec::new();
                    for ch in text.chars() {
                        let Some((g, shown)) = book.printed(*bold, ch) else {
                            continue;
                        };
                        let u = used.entry(g.face).or_default();
                        let id = u.remap.remap(g.id);
                        u.text.entry(id).or_insert(shown);
                        u.advance.insert(id, g.advance);
                        let w = f32::from(g.advance) / book.faces[g.face].upem * size;
                        match runs.last_mut() {
                            Some((f, bytes, adv)) if *f == g.face => {
                                bytes.extend(id.to_be_bytes());
                                *adv += w;
                            }
                            _ => runs.push((g.face, id.to_be_bytes().to_vec(), w)),
                        }
                    }
                    let mut left = pt(*x);
                    for (face, bytes, adv) in runs {
                        c.begin_text();
                        c.set_font(Name(format!("F{face}").as_bytes()), *size);
                        c.next_line(left, pt(PAGE_H - top));
                        c.show(Str(&bytes));
                        c.end_text();
                        left += adv;
                    }
                }
                Mark::Line { from, to, width } => {
                    c.set_line_width(*width);
                    c.move_to(pt(from.0), pt(PAGE_H - from.1));
                    c.line_to(pt(to.0), pt(PAGE_H - to.1));
                    c.stroke();
                }
                Mark::Frame {
                    rect: (x, y, w, h),
                    width,
                } => {
                    c.set_line_width(*width);
                    c.rect(pt(*x), pt(PAGE_H - y - h), pt(*w), pt(*h));
                    c.stroke();
                }
            }
        }
        streams.push(c.finish());
    }

    let fonts: Vec<(usize, Ref)> = used.keys().map(|&f| (f, alloc())).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree).lang(TextStr("en"));
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    pdf.document_info(info)
        .title(TextStr(title))
        .creator(TextStr("rmaboard"))
        .producer(TextStr(concat!("rmaboard ", env!("CARGO_PKG_VERSION"))))
        .creation_date(pdf_date(at));
    for ((page, content), data) in page_refs.iter().zip(&streams) {
        let mut p = pdf.page(*page);
        p.media_box(Rect::new(0.0, 0.0, pt(PAGE_W), pt(PAGE_H)))
            .parent(tree)
            .contents(*content);
        let mut resources = p.resources();
        let mut f = resources.fonts();
        for (face, r) in &fonts {
            f.pair(Name(format!("F{face}").as_bytes()), *r);
        }
        f.finish();
        resources.finish();
        p.finish();
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(data.as_slice(), 6);
        pdf.stream(*content, &packed).filter(Filter::FlateDecode);
    }
    let mut warnings = book.warnings.clone();
    for (face, root) in fonts {
        let (Some(u), Some(f)) = (used.get(&face), book.faces.get(face)) else {
            continue;
        };
        if let Err(e) = embed(&mut pdf, root, &mut alloc, f, u) {
            warnings.push(format!(
                "the font {} could not be embedded ({e}): its characters may not print",
                f.origin
            ));
        }
    }
    Rendered {
        bytes: pdf.finish(),
        warnings,
    }
}

fn pdf_date(at: DateTime<Utc>) -> Date {
    let two = |v: u32| u8::try_from(v).unwrap_or(0);
    Date::new(u16::try_from(at.year()).unwrap_or(1970))
        .month(two(at.month()))
        .day(two(at.day()))
        .hour(two(at.hour()))
        .minute(two(at.minute()))
        .second(two(at.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Embed the subset of `face` that `used` needs as a CID-keyed font (Type0, Identity-H)
/// with a ToUnicode map, so the text can be searched and copied.
fn embed(
    pdf: &mut Pdf,
    root: Ref,
    alloc: &mut impl FnMut() -> Ref,
    face: &Face,
    used: &Used,
) -> Result<(), String> {
    let parsed = ttf_parser::Face::parse(&face.data, face.index).map_err(|e| e.to_string())?;
    let subset =
        subsetter::subset(&face.data, face.index, &used.remap).map_err(|e| e.to_string())?;
    let raw = ttf_parser::RawFace::parse(&subset, 0).map_err(|e| e.to_string())?;
    // A CFF font is embedded as its bare CFF program, a TrueType one whole.
    let cff = raw.table(ttf_parser::Tag::from_bytes(b"CFF "));
    let program: &[u8] = cff.unwrap_or(&subset);
    let units = |v: f32| v * 1000.0 / face.upem;
    let ps: String = parsed
        .names()
        .into_iter()
        .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .and_then(|n| {
            n.to_string()
                .or_else(|| std::str::from_utf8(n.name).ok().map(str::to_string))
        })
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(100)
        .collect();
    let ps = if ps.is_empty() {
        "Font".to_string()
    } else {
        ps
    };
    // A subset's tag: six capitals that differ with the glyphs it holds (FNV-1a).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in used
        .text
        .values()
        .flat_map(|c| u32::from(*c).to_be_bytes())
        .chain(ps.bytes())
    {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let tag: String = (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 5)) % 26) as u8))
        .collect();
    let base = format!("{tag}+{ps}");
    let (cid_ref, descriptor_ref, file_ref, cmap_ref) = (alloc(), alloc(), alloc(), alloc());
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    let type0_name = if cff.is_some() {
        format!("{base}-Identity-H")
    } else {
        base.clone()
    };
    pdf.type0_font(root)
        .base_font(Name(type0_name.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap_ref);
    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(if cff.is_some() {
        CidFontType::Type0
    } else {
        CidFontType::Type2
    });
    cid.base_font(Name(base.as_bytes()));
    cid.system_info(system);
    cid.font_descriptor(descriptor_ref);
    cid.default_width(0.0);
    if cff.is_none() {
        cid.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    {
        let mut w = cid.widths();
        for (&id, &advance) in &used.advance {
            w.consecutive(id, [units(f32::from(advance))]);
        }
    }
    cid.finish();

    let bbox = parsed.global_bounding_box();
    let mut flags = FontFlags::SYMBOLIC;
    if parsed.is_monospaced() {
        flags |= FontFlags::FIXED_PITCH;
    }
    let ascent = units(f32::from(parsed.ascender()));
    pdf.font_descriptor(descriptor_ref)
        .name(Name(base.as_bytes()))
        .flags(flags)
        .bbox(Rect::new(
            units(f32::from(bbox.x_min)),
            units(f32::from(bbox.y_min)),
            units(f32::from(bbox.x_max)),
            units(f32::from(bbox.y_max)),
        ))
        .italic_angle(parsed.italic_angle())
        .ascent(ascent)
        .descent(units(f32::from(parsed.descender())))
        .cap_height(
            parsed
                .capital_height()
                .map_or(ascent, |h| units(f32::from(h))),
        )
        .stem_v(10.0 + 0.244 * (f32::from(parsed.weight().to_number()) / 10.0 - 50.0).max(0.0))
        .pair(
            Name(if cff.is_some() {
                b"FontFile3".as_slice()
            } else {
                b"FontFile2".as_slice()
            }),
            file_ref,
        );

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system);
    for (&id, c) in &used.text {
        cmap.pair(id, *c);
    }
    let cmap_data = cmap.finish();
    pdf.cmap(cmap_ref, &cmap_data)
        .system_info(system)
        .name(Name(b"Custom"));

    let packed = miniz_oxide::deflate::compress_to_vec_zlib(program, 6);
    let mut stream = pdf.stream(file_ref, &packed);
    stream.filter(Filter::FlateDecode);
    if cff.is_some() {
        stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
    }
    stream.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_fallbacks() -> FontChoice {
        FontChoice {
            files: Vec::new(),
            system: false,
        }
    }

    #[test]
    fn a_character_no_font_has_is_named_once_and_printed_as_a_stand_in() {
        let mut book = FontBook::new(no_fallbacks());
        let page = vec![Mark::Text {
            bold: false,
            size: 10.0,
            x: 20.0,
            top: 20.0,
            text: "Łukasiewicz \u{10FFFD} and \u{10FFFD} again".into(),
        }];
        let r = draw(&[page], &mut book, "t", Utc::now());
        assert_eq!(
            r.warnings,
            vec!["no font has the character '\u{10FFFD}' (U+10FFFD): it was printed as '?'"]
        );
        assert!(r.bytes.starts_with(b"%PDF-"));
        // Polish letters are in the built-in font: no warning for them.
        let mut book = FontBook::new(no_fallbacks());
        book.cover(true, "Łukasiewicz Żółć Zoë ßü €");
        assert!(book.warnings().is_empty(), "{:?}", book.warnings());
    }

    #[test]
    fn an_unreadable_configured_font_is_said_and_the_page_still_made() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.ttf");
        std::fs::write(&bad, b"not a font").unwrap();
        let mut book = FontBook::new(FontChoice {
            files: vec![dir.path().join("missing.otf"), bad.clone()],
            system: false,
        });
        let page = vec![Mark::Text {
            bold: false,
            size: 10.0,
            x: 20.0,
            top: 20.0,
            text: "张伟".into(),
        }];
        let r = draw(&[page], &mut book, "t", Utc::now());
        let all = r.warnings.join("\n");
        assert!(all.contains("missing.otf could not be read"), "{all}");
        assert!(
            all.contains(&format!("{} is not a font", bad.display())),
            "{all}"
        );
        assert!(
            all.contains("'张' (U+5F20)") && all.contains("'伟' (U+4F1F)"),
            "{all}"
        );
        assert!(r.bytes.starts_with(b"%PDF-"));
    }

    #[test]
    fn widths_follow_the_font() {
        let mut book = FontBook::new(no_fallbacks());
        let narrow = book.width(false, 10.0, "iiii");
        let wide = book.width(false, 10.0, "WWWW");
        assert!(narrow > 0.0 && wide > 2.0 * narrow, "{narrow} {wide}");
        assert!(book.width(true, 10.0, "WWWW") > wide);
    }
}

//! Reading customers' mail from files: `.eml` files, folders of them, and Maildir
//! folders (`cur/` and `new/`). MIME (encoded words, multipart, transfer encodings,
//! charsets, HTML-only mail) is the mail-parser crate's job; this module only turns
//! its result into a [`Mail`] of cleaned text.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use crate::domain::intake::{Mail, MailAttachment, SYNTHETIC_ID_PREFIX};
use crate::domain::mailbox::checked_address;
use crate::domain::text::{clean_line, clean_text};

/// The most text kept of a mail's body; a longer one is cut (the attachments stay whole).
pub const MAX_BODY_CHARS: usize = 100_000;

/// The mail files a path names: the file itself; for a Maildir, the files in its `cur/`
/// and `new/`; for another folder, its `.eml` files. Sorted by name, so imports are
/// repeatable. A path that does not exist or cannot be listed is a sentence.
pub fn mail_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "{} does not exist: give .eml files or Maildir folders",
            path.display()
        ),
        _ => format!(
            "{} cannot be read ({e}): check the path and your permissions",
            path.display()
        ),
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let list = |dir: &Path, only_eml: bool| -> Result<Vec<PathBuf>, String> {
        let entries = fs::read_dir(dir).map_err(|e| {
            format!(
                "the folder {} cannot be listed ({e}): check your permissions",
                dir.display()
            )
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            // Maildir's and editors' hidden files are not mail.
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .filter(|p| !only_eml || p.extension().is_some_and(|x| x.eq_ignore_ascii_case("eml")))
            .collect();
        files.sort();
        Ok(files)
    };
    let (cur, new) = (path.join("cur"), path.join("new"));
    if cur.is_dir() || new.is_dir() {
        let mut files = Vec::new();
        for dir in [cur, new] {
            if dir.is_dir() {
                files.extend(list(&dir, false)?);
            }
        }
        return Ok(files);
    }
    list(path, true)
}

/// Read one mail file; the error is one sentence naming the file.
pub fn read_mail(path: &Path) -> Result<Mail, String> {
    let name = path.display().to_string();
    let bytes = fs::read(path)
        .map_err(|e| format!("{name} cannot be read ({e}): check your permissions"))?;
    let file_time = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(DateTime::<Utc>::from);
    parse_mail(&bytes, &name, file_time)
}

/// Turn a mail's bytes into a [`Mail`]; `source` names it in sentences, `file_time` is
/// its time when it has no usable `Date`.
pub fn parse_mail(
    bytes: &[u8],
    source: &str,
    file_time: Option<DateTime<Utc>>,
) -> Result<Mail, String> {
    let unreadable = |why: &str| format!("{source} is not a mail rmaboard can read: {why}");
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(unreadable("the file is empty"));
    }
    let msg = MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| unreadable("it has no mail headers"))?;
    let from = msg.from().and_then(|a| a.first());
    let from_address = from
        .and_then(|a| a.address())
        .and_then(checked_address)
        .map(|a| a.to_lowercase());
    let Some(from_address) = from_address else {
        return Err(unreadable(
            "it has no usable sender address (From), so it could not be answered",
        ));
    };
    let from_name = from
        .and_then(|a| a.name())
        .map(clean_line)
        .filter(|n| !n.is_empty());
    let received_at = msg
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| DateTime::<Utc>::from_timestamp(d.to_timestamp(), 0))
        .or(file_time)
        .unwrap_or_else(Utc::now);
    let message_id = msg
        .message_id()
        .map(|m| clean_line(m.trim().trim_start_matches('<').trim_end_matches('>')))
        .filter(|m| !m.is_empty() && !m.contains(char::is_whitespace))
        .unwrap_or_else(|| {
            let hash: String = Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("{SYNTHETIC_ID_PREFIX}{hash}")
        });
    let mut body = String::new();
    for i in 0..msg.text_body_count() {
        if let Some(text) = msg.body_text(i) {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(&text);
        }
    }
    let body: String = clean_text(&body).chars().take(MAX_BODY_CHARS).collect();
    let attachments = msg
        .attachments()
        .map(|part| {
            let content_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_ascii_lowercase();
            MailAttachment {
                name: part
                    .attachment_name()
                    .map(clean_line)
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "attachment".into()),
                content_type: clean_line(&content_type),
                bytes: part.contents().to_vec(),
            }
        })
        .collect();
    Ok(Mail {
        message_id,
        received_at,
        from_address: Some(from_address),
        from_name,
        subject: clean_line(msg.subject().unwrap_or_default())
            .trim()
            .to_string(),
        body: body.trim().to_string(),
        attachments,
        source: source.to_string(),
        replies_to: replies_to(&msg),
    })
}

/// The Message-IDs a mail answers: `In-Reply-To` first, then `References` newest first.
fn replies_to(msg: &mail_parser::Message<'_>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let in_reply_to = msg.in_reply_to().as_text_list().unwrap_or_default();
    let references = msg.references().as_text_list().unwrap_or_default();
    for id in in_reply_to.iter().chain(references.iter().rev()) {
        let id = clean_line(id.trim().trim_start_matches('<').trim_end_matches('>'));
        if !id.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The file name an attachment is kept under: the request, the start of the content's
/// hash, and an extension from the sender's name or the type (only letters and digits,
/// so no name a customer chose reaches the file system).
pub fn attachment_file_name(request: i64, hash: &str, a: &MailAttachment) -> String {
    let from_name = Path::new(&a.name)
        .extension()
        .map(|x| x.to_string_lossy().to_ascii_lowercase())
        .filter(|x| (1..=8).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_alphanumeric()));
    let ext = from_name.unwrap_or_else(|| {
        match a.content_type.as_str() {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            "image/gif" => "gif",
            "image/webp" => "webp",
            "image/heic" => "heic",
            "application/pdf" => "pdf",
            "text/plain" => "txt",
            "video/mp4" => "mp4",
            _ => "bin",
        }
        .to_string()
    });
    format!("request-{request}-{}.{ext}", hash.get(..16).unwrap_or(hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_text_are_decoded() {
        let raw = "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Reseller.example>\r\n\
                   To: support@shop.example\r\n\
                   Subject: =?UTF-8?B?RGVmZWt0ZXMgR2Vyw6R0?=\r\n\
                   Date: Mon, 4 May 2026 09:30:00 +0200\r\n\
                   Message-ID: <abc@reseller.example>\r\n\
                   Content-Type: text/plain; charset=utf-8\r\n\
                   \r\n\
                   IMEI 490154203237518 startet nicht.\r\n";
        let m = parse_mail(raw.as_bytes(), "t.eml", None).unwrap();
        assert_eq!(m.from_name.as_deref(), Some("Jürgen Müller"));
        assert_eq!(m.from_address.as_deref(), Some("juergen@reseller.example"));
        assert_eq!(m.subject, "Defektes Gerät");
        assert_eq!(m.message_id, "abc@reseller.example");
        assert_eq!(
            crate::domain::time::rfc3339(m.received_at),
            "2026-05-04T07:30:00Z"
        );
        assert!(m.body.contains("startet nicht"));
    }

    #[test]
    fn a_mail_without_id_or_date_gets_a_hash_and_the_file_time() {
        let raw = "From: a@b.example\r\nSubject: x\r\n\r\nhello\r\n";
        let t = DateTime::<Utc>::from_timestamp(1_777_000_000, 0).unwrap();
        let m = parse_mail(raw.as_bytes(), "t.eml", Some(t)).unwrap();
        assert!(m.message_id.starts_with(SYNTHETIC_ID_PREFIX));
        assert_eq!(m.received_at, t);
        let again = parse_mail(raw.as_bytes(), "u.eml", Some(t)).unwrap();
        assert_eq!(again.message_id, m.message_id);
    }

    #[test]
    fn garbage_and_sender_less_mail_are_refused_by_name() {
        for raw in [
            &b""[..],
            b"\x00\x01\x02 binary",
            b"Subject: hi\r\n\r\nno sender\r\n",
        ] {
            let e = parse_mail(raw, "broken.eml", None).unwrap_err();
            assert!(e.starts_with("broken.eml is not a mail"), "{e}");
        }
    }

    #[test]
    fn attachment_names_come_from_request_hash_and_a_safe_extension() {
        let a = MailAttachment {
            name: "../../etc/passwd; rm -rf.JPG".into(),
            content_type: "image/jpeg".into(),
            bytes: vec![],
        };
        assert_eq!(
            attachment_file_name(7, "0123456789abcdef0123", &a),
            "request-7-0123456789abcdef.jpg"
        );
        let b = MailAttachment {
            name: "photo".into(),
            content_type: "image/png".into(),
            bytes: vec![],
        };
        assert_eq!(attachment_file_name(7, "ff", &b), "request-7-ff.png");
    }
}

//! The demo's customers' mail: a few requests in the Requests pane, imported as the
//! inbox imports mail and answered as staff answer them.

use chrono::{DateTime, Duration, Utc};
use mail_builder::MessageBuilder;

use super::{Rng, demo_sales};
use crate::domain::Imei;
use crate::domain::intake::{Mail, RefusalReason};
use crate::store::{Reply, StoreError};
use crate::workshop::{InboxReport, Workshop, WorkshopError};

/// A photo of a cracked screen, as small as a PNG gets (one pixel).
const PHOTO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// One mail of the demo: who (reseller index), how long ago, how many devices, text.
struct Letter {
    reseller: usize,
    hours_ago: i64,
    devices: usize,
    subject: &'static str,
    text: &'static str,
    photo: bool,
}

const LETTERS: &[Letter] = &[
    // Late: in three days ago, nobody answered.
    Letter {
        reseller: 3,
        hours_ago: 74,
        devices: 1,
        subject: "Telefono no carga / phone not charging",
        text: "Hello, our customer's phone stopped charging last week. We tried two cables.",
        photo: false,
    },
    // Answered with a question, still open (its clock stopped in time).
    Letter {
        reseller: 4,
        hours_ago: 30,
        devices: 1,
        subject: "Device restarts",
        text: "Good morning, this phone restarts by itself several times a day.",
        photo: false,
    },
    // A reseller listing several devices in one mail.
    Letter {
        reseller: 5,
        hours_ago: 20,
        devices: 3,
        subject: "RMA request for 3 devices",
        text: "Dear support,\nplease issue RMA numbers for the following devices:\n",
        photo: false,
    },
    // With a photo.
    Letter {
        reseller: 6,
        hours_ago: 5,
        devices: 1,
        subject: "Screen cracked on arrival (photo attached)",
        text: "The parcel arrived today and the screen was cracked inside an undamaged box. Photo attached; we kept the packaging.",
        photo: true,
    },
    // Fresh: in forty minutes ago.
    Letter {
        reseller: 7,
        hours_ago: 0,
        devices: 1,
        subject: "No sound from speaker",
        text: "Hi, the loudspeaker gives no sound at all, calls work with headphones.",
        photo: false,
    },
    // Refused last week: out of the pane, counted in the report's answer times.
    Letter {
        reseller: 8,
        hours_ago: 150,
        devices: 1,
        subject: "Charger broken",
        text: "The charger that came with this phone no longer works, please replace it.",
        photo: false,
    },
];

/// Import the demo's mail into a filled demo shop and answer one of them with a
/// question, as staff would. Returns how many requests came in.
pub fn fill_requests(ws: &mut Workshop, now: DateTime<Utc>) -> Result<u64, WorkshopError> {
    let sales = demo_sales(&mut Rng::new(2026), now);
    let shop = ws.paperwork().clone();
    let mut report = InboxReport::default();
    for (n, letter) in LETTERS.iter().enumerate() {
        let customer = format!("C-{}", 1001 + letter.reseller);
        let received = now - Duration::hours(letter.hours_ago) - Duration::minutes(40);
        let devices: Vec<Imei> =
            super::free_sales(ws.store(), &sales, &customer, letter.devices, received)?
                .into_iter()
                .map(|sale| sale.imei.clone())
                .collect();
        let mail = letter_mail(n, letter, &customer, &devices, received)
            .map_err(|why| WorkshopError::Store(StoreError::Refused(why)))?;
        ws.import_mail(&mail, &mut report)?;
    }
    // The second mail was answered with a question two hours after it came in, the last
    // refused the next day (a charger is a wear part).
    let answers = [
        (
            1,
            Reply::Ask("Please try another charger and cable first, and tell us whether it still restarts.".into()),
            2,
            "ben",
        ),
        (5, Reply::Refuse(RefusalReason::NotCovered), 20, "anna"),
    ];
    for (n, reply, after, by) in answers {
        if let Some((id, _)) = report.new_requests.get(n) {
            let received = now - Duration::hours(LETTERS[n].hours_ago) - Duration::minutes(40);
            ws.store_mut().answer_request(
                *id,
                reply,
                by,
                received + Duration::hours(after),
                &shop,
                None,
            )?;
        }
    }
    Ok(report.new_requests.len() as u64)
}

/// The mail as a reseller's mail program would write it, read back as the inbox reads it.
fn letter_mail(
    n: usize,
    letter: &Letter,
    customer: &str,
    devices: &[Imei],
    received: DateTime<Utc>,
) -> Result<Mail, String> {
    let (name, _, _) = super::RESELLERS[letter.reseller];
    let number = 1001 + letter.reseller;
    let mut text = letter.text.to_string();
    for imei in devices {
        text.push_str(&format!("\nIMEI {imei}"));
    }
    text.push_str(&format!("\n\nRegards,\n{name}\nCustomer no. {customer}\n"));
    let mut builder = MessageBuilder::new()
        .from((
            name.to_string(),
            format!("service@reseller-{number}.example"),
        ))
        .to("support@demo-shop.example")
        .subject(letter.subject)
        .date(received.timestamp())
        .message_id(format!("demo-{n}@reseller-{number}.example"))
        .text_body(text);
    if letter.photo {
        builder = builder.attachment("image/png", "screen.png", PHOTO);
    }
    let raw = builder
        .write_to_vec()
        .map_err(|e| format!("the demo's mail {n} could not be written: {e}"))?;
    crate::inbox::parse_mail(&raw, &format!("demo-{n}.eml"), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::workshop::Setup;

    #[test]
    fn the_demo_has_requests_fresh_late_asked_from_a_reseller_and_with_a_photo() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.sqlite");
        let mut store = Store::open(&path).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .to_utc();
        super::super::fill(&mut store, &crate::paperwork::Settings::default(), now).unwrap();
        let setup = Setup::new(&path, "anna", crate::config::Config::default());
        let mut ws = Workshop::with_store(store, setup, std::sync::Arc::new(move || now));
        assert_eq!(fill_requests(&mut ws, now).unwrap(), 6);
        let open = ws.requests(true).unwrap();
        assert_eq!(open.len(), 5, "the refused one is out of the pane");
        let hours = 48;
        assert_eq!(open.iter().filter(|r| r.is_late(hours, now)).count(), 1);
        assert!(
            open.iter()
                .any(|r| now - r.received_at < Duration::hours(1))
        );
        let asked = open.iter().filter(|r| r.answered.is_some()).count();
        assert_eq!(asked, 1);
        assert!(
            open.iter()
                .any(|r| r.imeis.len() == 3 && r.customer_number.is_some())
        );
        let photo = open.iter().find(|r| !r.attachments.is_empty()).unwrap();
        assert_eq!(photo.attachments[0].content_type, "image/png");
        assert!(
            ws.attachments_dir()
                .join(&photo.attachments[0].file)
                .exists()
        );
        // Every device named can be opened: under guarantee, with no case yet.
        for r in &open {
            for d in ws.request_devices(r, r.received_at.date_naive()).unwrap() {
                assert!(d.verdict.accepts_repair(), "{d:?}");
                assert_eq!(d.open_case, None, "{d:?}");
            }
        }
        let all = ws.requests(false).unwrap();
        assert!(all.iter().any(|r| matches!(
            r.answered.as_ref().map(|a| &a.answer),
            Some(crate::domain::intake::Answer::Refused(_))
        )));
    }
}

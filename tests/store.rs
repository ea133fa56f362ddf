//! The store seen from outside: several connections on one file, refusals that leave the
//! data as it was, and damaged surroundings answered with sentences.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rmaboard::demo::make_imei;
use rmaboard::domain::Stage;
use rmaboard::domain::case::Change;
use rmaboard::store::{OwnMove, SCHEMA_VERSION, Store, StoreError};
use rusqlite::Connection;

use common::at;

/// A store with `n` sold phones and one open case per phone.
fn shop(dir: &Path, n: u32) -> (PathBuf, Store, Vec<i64>) {
    let path = dir.join("shop.sqlite");
    let mut store = Store::open(&path).unwrap();
    let imeis = common::sell_phones(&mut store, &vec!["C-1"; n as usize]);
    let ids = imeis
        .iter()
        .map(|imei| common::open_case(&mut store, imei).id)
        .collect();
    (path, store, ids)
}

fn dump(path: &Path) -> String {
    common::dump(
        &Connection::open(path).unwrap(),
        &["sales", "cases", "notes", "events", "rma_counters"],
    )
}

#[test]
fn a_second_terminal_cannot_overwrite_a_newer_move() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut first, ids) = shop(dir.path(), 1);
    let mut second = Store::open(&path).unwrap();
    let seen_by_both = first.case_by_id(ids[0]).unwrap();

    let receive = Change::Receive { tracking_in: None };
    first
        .apply(
            ids[0],
            seen_by_both.version,
            receive.clone(),
            "anna",
            at(2, 9),
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap();
    let before = dump(&path);
    let err = second
        .apply(
            ids[0],
            seen_by_both.version,
            receive,
            "ben",
            at(2, 9),
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("RMA-2026-00001 was changed by anna at ")
            && msg.contains("(it is now in received)")
            && msg.contains("nothing was saved"),
        "{msg}"
    );
    assert_eq!(dump(&path), before, "a refused write changed the database");
}

#[test]
fn data_version_tells_another_connection_about_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut writer, ids) = shop(dir.path(), 1);
    let reader = Store::open(&path).unwrap();
    let v0 = reader.data_version().unwrap();
    assert_eq!(reader.data_version().unwrap(), v0);
    writer
        .add_note(ids[0], "checked", "anna", at(2, 9))
        .unwrap();
    assert_ne!(reader.data_version().unwrap(), v0);
}

#[test]
fn refused_actions_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), 1);
    let before = dump(&path);
    let c = store.case_by_id(ids[0]).unwrap();
    let tracking = rmaboard::domain::S10::parse("RR123456785CN").unwrap();
    for change in [
        Change::Ship { tracking },
        Change::Send {
            manufacturer_ref: "MF-1".into(),
        },
        Change::Move { to: Stage::Shipped },
        Change::InspectFail { note: "x".into() },
    ] {
        let err = store
            .apply(
                ids[0],
                c.version,
                change,
                "anna",
                at(2, 9),
                &rmaboard::paperwork::Settings::default(),
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Case(_)), "{err}");
    }
    assert!(
        store
            .add_note(ids[0], " \u{1b} ", "anna", at(2, 9))
            .is_err()
    );
    assert_eq!(dump(&path), before);
}

#[test]
fn notes_and_events_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), 1);
    store.add_note(ids[0], "first", "anna", at(2, 9)).unwrap();
    let conn = Connection::open(&path).unwrap();
    for sql in [
        "UPDATE notes SET text = 'edited'",
        "DELETE FROM notes",
        "UPDATE events SET author = 'mallory'",
        "DELETE FROM events",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn a_file_that_is_not_sqlite_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.sqlite");
    std::fs::write(&path, "imei,order_number\n1,2\n").unwrap();
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("is not an rmaboard database"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "imei,order_number\n1,2\n"
    );
}

#[test]
fn another_programs_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("is not an rmaboard database"), "{err}");
    let n: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "no tables were added");
}

#[test]
fn a_newer_schema_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, _) = shop(dir.path(), 1);
    drop(store);
    Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
        .unwrap();
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(
        err.contains("was written by a newer rmaboard") && err.contains("upgrade rmaboard"),
        "{err}"
    );
}

#[test]
fn a_busy_database_is_explained_not_locked() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), 1);
    store.set_busy_timeout(Duration::from_millis(200)).unwrap();
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = store
        .add_note(ids[0], "waiting", "anna", at(2, 9))
        .unwrap_err();
    assert!(matches!(err, StoreError::Busy(_)), "{err:?}");
    let msg = err.to_string();
    assert!(!msg.contains("locked"), "{msg}");
    assert!(msg.contains("try again in a moment"), "{msg}");
    holder.execute_batch("ROLLBACK").unwrap();
    store.add_note(ids[0], "now", "anna", at(2, 9)).unwrap();
}

#[test]
fn a_full_disk_leaves_no_partial_import() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, _) = shop(dir.path(), 1);
    let before = dump(&path);
    // Cap the file at its current size: the next pages cannot be written.
    let pages: i64 = store
        .connection()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    store
        .connection()
        .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
        .unwrap();
    let rows: Vec<_> = (1000..3000)
        .map(|i| (i as u64, Ok(common::phone(&make_imei(35_209_612, i)))))
        .collect();
    let err = store.import_sales(rows, true, &mut |_| {}).unwrap_err();
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");
    assert!(err.to_string().contains("free some space"));
    assert_eq!(dump(&path), before);
}

#[cfg(unix)]
#[test]
fn the_database_and_its_wal_are_not_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (path, store, _) = shop(dir.path(), 2);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o660);
    let wal = rmaboard::store::wal_path(&path);
    assert!(wal.exists(), "WAL file expected while the store is open");
    assert_eq!(mode(&wal), 0o660);
    let mut shm = path.clone().into_os_string();
    shm.push("-shm");
    assert_eq!(mode(Path::new(&shm)), 0o660);
    drop(store);
}

#[test]
fn backup_while_another_connection_writes_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, ids) = shop(dir.path(), 20);
    let backup = dir.path().join("backup.sqlite");
    let writer_path = path.clone();
    let ids_for_writer = ids.clone();
    let writer = std::thread::spawn(move || {
        let mut w = Store::open(&writer_path).unwrap();
        for round in 0..50 {
            let id = ids_for_writer[round % ids_for_writer.len()];
            w.add_note(id, &format!("note {round}"), "ben", at(3, 9))
                .unwrap();
        }
    });
    for _ in 0..5 {
        store.backup(&backup).unwrap();
        let copy = Store::open_read_only(&backup).unwrap();
        let check = copy.checkup().unwrap();
        assert!(check.healthy(), "{}", check.report());
        assert_eq!(check.cases[0], 20);
    }
    writer.join().unwrap();
    store.backup(&backup).unwrap();
    let with_notes = dump(&path);

    // Something goes wrong after the backup; the restore brings the backup back.
    let mut live = Store::open(&path).unwrap();
    live.add_note(ids[0], "after the backup", "anna", at(4, 9))
        .unwrap();
    assert_ne!(dump(&path), with_notes);
    live.restore(&backup, &dir.path().join("bills")).unwrap();
    assert_eq!(dump(&path), with_notes);
    let check = live.checkup().unwrap();
    assert!(check.healthy(), "{}", check.report());
    assert_eq!(check.journal_mode, "wal");
}

#[test]
fn restore_refuses_a_damaged_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, _) = shop(dir.path(), 1);
    let before = dump(&path);
    let bad = dir.path().join("bad.sqlite");
    std::fs::write(&bad, b"not a database at all, sorry").unwrap();
    let err = store
        .restore(&bad, &dir.path().join("bills"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not an rmaboard database"), "{err}");
    assert_eq!(dump(&path), before);
}

#[test]
fn a_bad_backup_is_named_and_the_database_is_not_called_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, _) = shop(dir.path(), 3);
    let before = dump(&path);
    let good = dir.path().join("good.sqlite");
    store.backup(&good).unwrap();
    // An empty file, and a backup whose pages after the header were overwritten.
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    let malformed = dir.path().join("malformed.sqlite");
    let mut bytes = std::fs::read(&good).unwrap();
    for b in bytes.iter_mut().skip(100) {
        *b = 0xA5;
    }
    std::fs::write(&malformed, &bytes).unwrap();
    for (file, says) in [(&empty, "the file is empty"), (&malformed, "it is damaged")] {
        let err = store
            .restore(file, &dir.path().join("bills"))
            .unwrap_err()
            .to_string();
        let named = format!("the backup {} cannot be restored: {says}", file.display());
        assert!(err.starts_with(&named), "{err}");
        assert!(
            err.contains("the database was not changed: choose another backup"),
            "{err}"
        );
        assert!(
            !err.contains("the database is damaged") && !err.contains("upgrade"),
            "{err}"
        );
        assert_eq!(dump(&path), before);
    }
}

#[test]
fn a_backup_into_a_missing_folder_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store, _) = shop(dir.path(), 1);
    let to = dir.path().join("no-such-folder").join("b.sqlite");
    let err = store.backup(&to).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "could not write the backup {}: the folder {} does not exist: create it first or choose another; the database was not changed",
            to.display(),
            dir.path().join("no-such-folder").display()
        )
    );
}

#[test]
fn doctor_finds_a_history_that_does_not_match() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, _) = shop(dir.path(), 2);
    assert!(store.checkup().unwrap().healthy());
    Connection::open(&path)
        .unwrap()
        .execute("UPDATE cases SET stage = 'shipped' WHERE id = 1", [])
        .unwrap();
    let check = store.checkup().unwrap();
    assert!(!check.healthy());
    assert_eq!(check.history_mismatches, vec!["RMA-2026-00001"]);
}

#[test]
fn doctor_finds_a_device_with_two_open_cases() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, _) = shop(dir.path(), 2);
    // As an older database could hold it: the second case made a twin of the first.
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE cases SET imei = (SELECT imei FROM cases WHERE id = 1) WHERE id = 2",
            [],
        )
        .unwrap();
    let check = store.checkup().unwrap();
    assert!(!check.healthy());
    assert_eq!(check.doubled_devices.len(), 1);
    assert!(
        check.doubled_devices[0].ends_with(": RMA-2026-00001, RMA-2026-00002"),
        "{:?}",
        check.doubled_devices
    );
    assert!(check.report().contains("ship all but one of each"));
}

#[test]
fn network_filesystems_are_recognised() {
    use rmaboard::store::filesystem_kind;
    assert_eq!(filesystem_kind(0x6969), Some("NFS"));
    assert_eq!(filesystem_kind(0xff53_4d42), Some("CIFS"));
    assert_eq!(filesystem_kind(0xef53), None, "ext4 is local");
    let dir = tempfile::tempdir().unwrap();
    let (_, store, _) = shop(dir.path(), 1);
    assert_eq!(store.location_warning(), None);
}

#[test]
fn several_openers_of_a_new_file_at_once_all_succeed() {
    // The race is narrow (switching a new file to WAL, reading its schema while another
    // opener writes it), so it is run on many fresh files.
    let dir = tempfile::tempdir().unwrap();
    for round in 0..40 {
        let path = dir.path().join(format!("fresh-{round}.sqlite"));
        let start = std::sync::Arc::new(std::sync::Barrier::new(6));
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let p = path.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&p).and_then(|s| s.schema_version())
                })
            })
            .collect();
        for h in handles {
            match h.join().unwrap() {
                Ok(version) => assert_eq!(version, SCHEMA_VERSION),
                Err(e) => panic!("round {round}: an opener failed: {e:?}"),
            }
        }
    }
}

#[test]
fn several_processes_initialising_one_new_file_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..8 {
        let path = dir.path().join(format!("shared-{round}.sqlite"));
        let children: Vec<_> = (0..4)
            .map(|_| {
                std::process::Command::new(env!("CARGO_BIN_EXE_rmaboard"))
                    .arg("--db")
                    .arg(&path)
                    .arg("init")
                    .env("RMABOARD_CONFIG", dir.path().join("none.toml"))
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(
            Store::open(&path).unwrap().schema_version().unwrap(),
            SCHEMA_VERSION
        );
    }
}

#[test]
fn a_note_costs_the_same_however_many_came_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), 2);
    // A case with 3,000 notes already, put in in one go.
    Store::open(&path)
        .unwrap()
        .connection()
        .execute_batch(&format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO notes (case_id, at, author, text)
             SELECT {}, '2026-03-02T09:00:00Z', 'anna',
                    'bench note ' || i || ': ' || printf('%.140c', 'x')
             FROM n;
             COMMIT;",
            ids[0]
        ))
        .unwrap();
    let mut five_notes = |id: i64| {
        let started = std::time::Instant::now();
        for i in 0..5 {
            store
                .add_note(id, &format!("checked again, round {i}"), "ben", at(3, 9))
                .unwrap();
        }
        started.elapsed()
    };
    // The quickest of three tries each, so a slow disk sync now and then does not count.
    let (mut fresh, mut crowded) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        fresh = fresh.min(five_notes(ids[1]));
        crowded = crowded.min(five_notes(ids[0]));
    }
    assert!(
        crowded < fresh * 2 + Duration::from_millis(50),
        "5 notes took {crowded:?} on the case with 3,000 notes, {fresh:?} on a fresh one"
    );
    // Every note is still found, the old ones and the new.
    for (q, case) in [("bench note 1999:", ids[0]), ("round 4", ids[1])] {
        let found: Vec<i64> = store.search(q, 10).unwrap().iter().map(|c| c.id).collect();
        assert!(found.contains(&case), "{q}: {found:?}");
    }
}

#[test]
fn an_older_database_gets_its_notes_indexed_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), 2);
    store
        .add_note(ids[0], "Wobbly hinge on the left", "anna", at(2, 9))
        .unwrap();
    drop(store);
    // Put the search index back the way schema version 4 had it: notes inside the
    // case's text, re-indexed whole with each note.
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP TRIGGER note_search_add;
             DROP TABLE note_search;
             DROP VIEW case_search_text;
             CREATE VIEW case_search_text (id, text) AS
             SELECT c.id, c.rma || ' ' || c.model || ' ' || c.fault || ' '
                    || coalesce((SELECT group_concat(n.text, ' ') FROM notes n
                                 WHERE n.case_id = c.id), '')
             FROM cases c;
             DELETE FROM case_search;
             INSERT INTO case_search (rowid, text) SELECT id, text FROM case_search_text;
             CREATE TRIGGER case_search_note AFTER INSERT ON notes
             BEGIN
                 DELETE FROM case_search WHERE rowid = new.case_id;
                 INSERT INTO case_search (rowid, text)
                 SELECT id, text FROM case_search_text WHERE id = new.case_id;
             END;
             PRAGMA user_version = 4;",
        )
        .unwrap();
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store
        .add_note(ids[1], "Cracked back cover", "ben", at(2, 10))
        .unwrap();
    let found =
        |q: &str| -> Vec<i64> { store.search(q, 10).unwrap().iter().map(|c| c.id).collect() };
    assert_eq!(found("wobbly hinge"), [ids[0]]);
    assert_eq!(found("cracked back"), [ids[1]]);
    assert_eq!(found("no power").len(), 2);
    let conn = Connection::open(&path).unwrap();
    let triggers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'case_search_note'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 0);
}

#[test]
fn search_follows_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store, ids) = shop(dir.path(), 3);
    let rmas = |cases: Vec<rmaboard::domain::Case>| -> Vec<String> {
        cases.iter().map(|c| c.rma.to_string()).collect()
    };
    // Customer name comes from the sale; newest case first.
    assert_eq!(
        rmas(store.search("mobile hub", 10).unwrap()),
        ["RMA-2026-00003", "RMA-2026-00002", "RMA-2026-00001"]
    );
    assert!(store.search("wobbly hinge", 10).unwrap().is_empty());
    let c = store
        .add_note(ids[1], "Wobbly hinge on the left", "anna", at(2, 9))
        .unwrap();
    assert_eq!(
        rmas(store.search("wobbly hinge", 10).unwrap()),
        ["RMA-2026-00002"]
    );
    let c = store
        .apply(
            c.id,
            c.version,
            Change::Receive { tracking_in: None },
            "anna",
            at(2, 10),
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap()
        .case;
    store
        .apply(
            c.id,
            c.version,
            Change::Send {
                manufacturer_ref: "MF-Q77".into(),
            },
            "anna",
            at(2, 11),
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap();
    assert_eq!(rmas(store.search("mf-q7", 10).unwrap()), ["RMA-2026-00002"]);
    // Short queries and wildcards answer too; an empty one finds nothing.
    assert_eq!(store.search("Q", 10).unwrap().len(), 1);
    assert_eq!(store.search("2026-0000_", 2).unwrap().len(), 2);
    assert!(store.search(" \u{1b} ", 10).unwrap().is_empty());
}

#[test]
fn events_of_a_kind_this_version_does_not_know_are_read_not_refused() {
    use rmaboard::domain::{Clocks, EventField, EventKind};
    let dir = tempfile::tempdir().unwrap();
    let (path, store, ids) = shop(dir.path(), 1);
    // As a newer rmaboard (or a hand) might have written it.
    Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO events (case_id, at, author, kind, field, from_value, to_value)
             VALUES (?1, '2026-03-02T09:00:00Z', 'ben', 'recall', 'batch', NULL, 'B-7')",
            [ids[0]],
        )
        .unwrap();
    let events = store.events(ids[0]).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, EventKind::Other("recall".into()));
    assert_eq!(last.field, EventField::Other("batch".into()));
    assert_eq!(events[0].kind, EventKind::Open);
    assert_eq!(events[0].field, EventField::Stage);
    // The report and the undo lookup read past it.
    let period =
        rmaboard::report::Period::new(None, None, at(3, 0).date_naive(), &chrono::Utc).unwrap();
    store
        .report(
            period,
            chrono::Utc,
            &Clocks::default(),
            at(3, 12),
            &mut |_, _| {},
        )
        .unwrap();
    assert!(own_move(&store, "ben", None).unwrap().is_none());
}

/// The author's own last move that undo would take back, looked up as the board and
/// `rmaboard undo` do; a move of one case is a group of one.
fn own_move(store: &Store, author: &str, case: Option<i64>) -> Result<Option<OwnMove>, StoreError> {
    let mut group = store.last_own_moves(author, case)?;
    assert!(group.len() <= 1, "a move of one case: {group:?}");
    Ok(group.pop())
}

#[test]
fn my_failed_inspection_is_found_for_undo_with_what_it_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut store, ids) = shop(dir.path(), 2);
    let settings = rmaboard::paperwork::Settings::default();
    let apply = |store: &mut Store, id: i64, change: Change, who: &str, when| {
        let v = store.case_by_id(id).unwrap().version;
        store
            .apply(id, v, change, who, when, &settings)
            .unwrap()
            .case
    };
    for &id in &ids {
        apply(
            &mut store,
            id,
            Change::Receive { tracking_in: None },
            "anna",
            at(2, 9),
        );
        apply(
            &mut store,
            id,
            Change::Send {
                manufacturer_ref: "MF-1".into(),
            },
            "anna",
            at(3, 9),
        );
    }
    let sent = store.case_by_id(ids[0]).unwrap();
    let fail = || Change::InspectFail {
        note: "still dead".into(),
    };
    apply(&mut store, ids[0], fail(), "anna", at(9, 9));
    assert_eq!(store.case_by_id(ids[0]).unwrap().rounds, 2);

    // On any case and on that one, the failure is what anna takes back.
    let last = own_move(&store, "anna", None).unwrap().unwrap();
    assert_eq!(last.case_id, ids[0]);
    assert_eq!(
        own_move(&store, "anna", Some(ids[0])).unwrap(),
        Some(last.clone())
    );
    assert_eq!(last.changed_since, None);
    let back = apply(&mut store, ids[0], last.undo(), "anna", at(10, 9));
    assert_eq!(
        (back.stage, back.rounds, back.outcome, back.stage_since),
        (sent.stage, sent.rounds, sent.outcome, sent.stage_since)
    );
    // Taken back once; the send before it is what is left to undo.
    let left = own_move(&store, "anna", Some(ids[0])).unwrap();
    assert!(left.as_ref().is_none_or(|m| m.failed.is_none()), "{left:?}");

    // Once ben inspected it after anna's failure, taking it back would lose his pass.
    apply(&mut store, ids[1], fail(), "anna", at(9, 9));
    apply(
        &mut store,
        ids[1],
        Change::InspectPass {
            in_house: false,
            note: None,
        },
        "ben",
        at(9, 10),
    );
    let last = own_move(&store, "anna", Some(ids[1])).unwrap().unwrap();
    assert!(last.failed.is_some());
    let since = last.changed_since.unwrap();
    assert_eq!(
        (since.by.as_str(), since.kind),
        ("ben", rmaboard::domain::EventKind::InspectPass)
    );
}

#[test]
fn an_undo_is_refused_once_the_reference_or_tracking_number_it_gives_back_was_corrected() {
    use rmaboard::domain::case::{Edit, Patch};
    use rmaboard::domain::{EventField, EventKind, TrackingNumber};
    use rmaboard::store::ChangedSince;
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut store, ids) = shop(dir.path(), 5);
    let settings = rmaboard::paperwork::Settings::default();
    let apply = |store: &mut Store, id: i64, change: Change, who: &str, when| {
        let v = store.case_by_id(id).unwrap().version;
        store
            .apply(id, v, change, who, when, &settings)
            .unwrap()
            .case
    };
    let tracking = |t: &str| TrackingNumber::parse(t).unwrap();
    let receive = |t: Option<&str>| Change::Receive {
        tracking_in: t.map(tracking),
    };
    let send = |r: &str| Change::Send {
        manufacturer_ref: r.into(),
    };
    let edit = |tracking_in: Patch<TrackingNumber>, manufacturer_ref: Option<&str>| {
        Change::Edit(Edit {
            fault: None,
            tracking_in,
            manufacturer_ref: manufacturer_ref.map(str::to_string),
        })
    };
    let changed = |store: &Store, who: &str, id: i64| {
        own_move(store, who, Some(id))
            .unwrap()
            .unwrap()
            .changed_since
    };
    let edited = |by: &str, field: EventField| {
        Some(ChangedSince {
            by: by.to_string(),
            kind: EventKind::Edit,
            fields: vec![field],
        })
    };

    // Anna sends with a mistyped reference; Ben corrects it: her undo would clear it.
    apply(&mut store, ids[0], receive(None), "anna", at(2, 9));
    apply(&mut store, ids[0], send("MF-77l"), "anna", at(3, 9));
    apply(
        &mut store,
        ids[0],
        edit(Patch::Keep, Some("MF-771")),
        "ben",
        at(3, 10),
    );
    assert_eq!(
        changed(&store, "anna", ids[0]),
        edited("ben", EventField::ManufacturerRef)
    );

    // Anna receives a parcel; Ben corrects its tracking number: the same.
    apply(
        &mut store,
        ids[1],
        receive(Some("1Z999AA10123456784")),
        "anna",
        at(2, 9),
    );
    apply(
        &mut store,
        ids[1],
        edit(Patch::Set(tracking("RR123456785CN")), None),
        "ben",
        at(2, 10),
    );
    assert_eq!(
        changed(&store, "anna", ids[1]),
        edited("ben", EventField::TrackingIn)
    );
    // Removed as a mistake, too.
    apply(
        &mut store,
        ids[2],
        receive(Some("1Z999AA10123456784")),
        "anna",
        at(2, 9),
    );
    apply(
        &mut store,
        ids[2],
        edit(Patch::Clear, None),
        "ben",
        at(2, 10),
    );
    assert_eq!(
        changed(&store, "anna", ids[2]),
        edited("ben", EventField::TrackingIn)
    );

    // Her own correction is a change since as well, as her own later moves are.
    apply(&mut store, ids[3], receive(None), "anna", at(2, 9));
    apply(&mut store, ids[3], send("MF-77l"), "anna", at(3, 9));
    apply(
        &mut store,
        ids[3],
        edit(Patch::Keep, Some("MF-771")),
        "anna",
        at(3, 10),
    );
    assert_eq!(
        changed(&store, "anna", ids[3]),
        edited("anna", EventField::ManufacturerRef)
    );

    // A field the move did not set is no obstacle: the undo leaves it as it is.
    apply(&mut store, ids[4], receive(None), "anna", at(2, 9));
    apply(&mut store, ids[4], send("MF-5"), "anna", at(3, 9));
    apply(
        &mut store,
        ids[4],
        Change::Edit(Edit {
            fault: Some("No sound at all".into()),
            tracking_in: Patch::Set(tracking("RR123456785CN")),
            manufacturer_ref: None,
        }),
        "ben",
        at(3, 10),
    );
    let last = own_move(&store, "anna", Some(ids[4])).unwrap().unwrap();
    assert_eq!(last.changed_since, None);
    let back = apply(&mut store, ids[4], last.undo(), "anna", at(3, 11));
    assert_eq!(back.stage, Stage::Received);
    assert_eq!(back.manufacturer_ref, None);
    assert_eq!(back.tracking_in.as_deref(), Some("RR123456785CN"));
    assert_eq!(back.fault, "No sound at all");
}

/// The deepest nesting of parentheses in a piece of SQL (quotes and comments aside).
fn nesting(sql: &str) -> usize {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for c in sql.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[test]
fn the_schema_opens_in_older_sqlite_versions_too() {
    // SQLite before 3.46 (Debian 12's sqlite3 shell, Python's sqlite3 module) parses with
    // a fixed stack of 100 and refuses a whole database whose schema holds an expression
    // nested deeper ("malformed database schema (case_search_text) - parser stack
    // overflow"): the accent folds were once 138 replace() calls deep, and are now a
    // chain of views of 20 each.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.sqlite");
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        .unwrap();
    let entries: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(entries.len() > 20, "{entries:?}");
    for (name, sql) in entries {
        assert!(
            nesting(&sql) <= 40,
            "{name} nests {} deep: older SQLite cannot open the database",
            nesting(&sql)
        );
    }
}

//! One move on several cases: one transaction, all or nothing, each refused case named.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use rmaboard::demo::make_imei;
use rmaboard::domain::case::Change;
use rmaboard::domain::{S10, Stage};
use rmaboard::paperwork::Settings;
use rmaboard::store::{AppliedMany, MoveOptions, Step, Store, StoreError};
use rusqlite::Connection;

use common::at;

/// A store with `n` phones sold to `customers[i]` and one case per phone, moved on to
/// `stage`.
fn shop(dir: &Path, customers: &[&str], stage: Stage) -> (PathBuf, Store, Vec<i64>) {
    let path = dir.join("shop.sqlite");
    let mut store = Store::open(&path).unwrap();
    let imeis = common::sell_phones(&mut store, customers);
    let paperwork = Settings::default();
    let mut ids = Vec::new();
    for imei in &imeis {
        let case = common::open_case(&mut store, imei);
        let mut version = case.version;
        let mut now = case.stage;
        while now != stage {
            let next = now.next().unwrap();
            let moved = store
                .apply(
                    case.id,
                    version,
                    match next {
                        Stage::Received => Change::Receive { tracking_in: None },
                        Stage::AtManufacturer => Change::Send {
                            manufacturer_ref: "MF-1".into(),
                        },
                        _ => Change::InspectPass {
                            in_house: false,
                            note: None,
                        },
                    },
                    "anna",
                    at(2, 9),
                    &paperwork,
                )
                .unwrap();
            version = moved.case.version;
            now = next;
        }
        ids.push(case.id);
    }
    (path, store, ids)
}

/// Every table a move writes to, counters included.
fn dump(path: &Path) -> String {
    common::dump(
        &Connection::open(path).unwrap(),
        &[
            "cases",
            "notes",
            "events",
            "bills",
            "outbox",
            "rma_counters",
        ],
    )
}

fn seen(store: &Store, ids: &[i64]) -> Vec<(i64, i64)> {
    ids.iter()
        .map(|&id| (id, store.case_by_id(id).unwrap().version))
        .collect()
}

/// The same change on every case as it was shown, in one command.
fn many(
    store: &mut Store,
    shown: &[(i64, i64)],
    change: &Change,
) -> Result<AppliedMany, StoreError> {
    let steps = shown
        .iter()
        .map(|&(id, version)| Step {
            id,
            version,
            change: change.clone(),
        })
        .collect();
    store.apply_many(
        steps,
        MoveOptions::default(),
        "anna",
        at(3, 10),
        &Settings::default(),
    )
}

fn ship() -> Change {
    Change::Ship {
        tracking: S10::parse("RR123456785CN").unwrap(),
    }
}

#[test]
fn a_refused_case_in_the_middle_leaves_every_case_and_counter_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-1", "C-1"], Stage::Inspected);
    let shown = seen(&store, &ids);
    // A colleague adds a note to the middle case after the board showed it.
    let mut theirs = Store::open(&path).unwrap();
    theirs
        .add_note(ids[1], "box dented", "ben", at(3, 9))
        .unwrap();
    let middle = store.case_by_id(ids[1]).unwrap().rma.to_string();
    let before = dump(&path);

    let err = many(&mut store, &shown, &ship()).unwrap_err();

    let StoreError::Several { refused, total: 3 } = &err else {
        panic!("{err}")
    };
    assert_eq!(refused.len(), 1, "{err}");
    assert!(refused[0].to_string().contains(&middle), "{err}");
    assert!(err.is_conflict());
    let sentence = err.to_string();
    assert!(
        sentence.contains(&middle) && sentence.contains("was changed by"),
        "{sentence}"
    );
    assert!(sentence.contains("nothing was saved"), "{sentence}");
    // No case moved, no bill number or message was used up.
    assert_eq!(dump(&path), before);
    for id in &ids {
        assert_eq!(store.case_by_id(*id).unwrap().stage, Stage::Inspected);
    }
}

#[test]
fn every_refused_case_is_named_in_its_own_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-1", "C-1"], Stage::Received);
    // The first case goes on to the manufacturer elsewhere; the last one was already
    // seen in an older version.
    let mut shown = seen(&store, &ids);
    shown[2].1 -= 1;
    let mut theirs = Store::open(&path).unwrap();
    theirs
        .apply(
            ids[0],
            shown[0].1,
            Change::Send {
                manufacturer_ref: "MF-9".into(),
            },
            "ben",
            at(3, 9),
            &Settings::default(),
        )
        .unwrap();
    shown[0].1 += 1;
    let before = dump(&path);
    let send = Change::Send {
        manufacturer_ref: "MF-10".into(),
    };
    let err = many(&mut store, &shown, &send).unwrap_err();
    let StoreError::Several { refused, .. } = &err else {
        panic!("{err}")
    };
    let rmas: Vec<String> = ids
        .iter()
        .map(|&id| store.case_by_id(id).unwrap().rma.to_string())
        .collect();
    assert_eq!(refused.len(), 2, "{err}");
    assert!(refused[0].to_string().contains(&rmas[0]), "{err}");
    assert!(refused[1].to_string().contains(&rmas[2]), "{err}");
    let sentence = err.to_string();
    assert!(sentence.starts_with("2 of 3 cases"), "{sentence}");
    assert!(!sentence.contains(&rmas[1]), "{sentence}");
    assert_eq!(dump(&path), before);
}

#[test]
fn all_cases_move_together_when_none_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-1", "C-1"], Stage::Expected);
    let shown = seen(&store, &ids);
    let mut watcher = Store::open(&path).unwrap();
    let version = watcher.data_version().unwrap();
    let done = many(&mut store, &shown, &Change::Receive { tracking_in: None }).unwrap();
    assert_eq!(done.moved.len(), 3);
    for ((before, case), id) in done.moved.iter().zip(&ids) {
        assert_eq!(case.id, *id);
        assert_eq!(before.stage, Stage::Expected);
        assert_eq!(case.stage, Stage::Received);
    }
    // One commit for all three: another connection sees one change.
    assert_ne!(watcher.data_version().unwrap(), version);
    let _ = &mut watcher;
}

#[test]
fn a_parcel_for_several_customers_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-2", "C-1"], Stage::Inspected);
    let before = dump(&path);
    let shown = seen(&store, &ids);
    let err = many(&mut store, &shown, &ship()).unwrap_err();
    assert!(err.is_refusal(), "{err}");
    let sentence = err.to_string();
    assert!(
        sentence.contains("one customer") && sentence.contains("C-2") && sentence.contains("C-1"),
        "{sentence}"
    );
    assert_eq!(dump(&path), before);
    // Other moves do not care whose the devices are.
    let back = Change::Move {
        to: Stage::AtManufacturer,
    };
    let shown = seen(&store, &ids);
    many(&mut store, &shown, &back).unwrap();
}

#[test]
fn a_case_given_twice_or_not_there_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-1"], Stage::Expected);
    let before = dump(&path);
    let receive = Change::Receive { tracking_in: None };
    let s = seen(&store, &ids);
    let twice = [s[0], s[1], s[0]];
    let err = many(&mut store, &twice, &receive).unwrap_err();
    assert!(err.to_string().contains("named twice"), "{err}");
    let err = many(&mut store, &[(999, 1)], &receive).unwrap_err();
    assert!(err.to_string().contains("#999"), "{err}");
    assert_eq!(dump(&path), before);
}

#[test]
fn the_reseller_list_holds_only_resellers_with_cases_on_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store, ids) = shop(dir.path(), &["C-1", "C-2", "C-1"], Stage::Inspected);
    // A reseller who bought but has no case, and one whose case was shipped long ago.
    let mut idle = common::phone(&make_imei(35_209_611, 900));
    idle.customer_number = "C-3".into();
    store
        .import_sales([(99, Ok(idle))], false, &mut |_| {})
        .unwrap();
    let c2 = store.case_by_id(ids[1]).unwrap();
    store
        .apply(
            c2.id,
            c2.version,
            ship(),
            "anna",
            at(3, 9),
            &Settings::default(),
        )
        .unwrap();
    let listed = |store: &Store, after| -> Vec<(String, u64)> {
        store
            .resellers_on_board(after)
            .unwrap()
            .into_iter()
            .map(|r| (r.customer_number, r.cases))
            .collect()
    };
    assert_eq!(
        listed(&store, at(3, 8)),
        [("C-1".to_string(), 2), ("C-2".to_string(), 1)]
    );
    assert_eq!(listed(&store, at(3, 10)), [("C-1".to_string(), 2)]);
    let ready: Vec<(String, u64)> = store
        .ready_to_ship()
        .unwrap()
        .into_iter()
        .map(|r| (r.customer_number, r.cases))
        .collect();
    assert_eq!(ready, [("C-1".to_string(), 2)]);
}

#[test]
fn the_last_move_of_several_cases_is_undone_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-1", "C-1"], Stage::Inspected);
    let shown = seen(&store, &ids);
    let done = many(&mut store, &shown, &ship()).unwrap();
    assert_eq!(done.bills.len(), 1);
    // The whole parcel is the last move, each case with its way back.
    let group = store.last_own_moves("anna", None).unwrap();
    let mut cases: Vec<i64> = group.iter().map(|m| m.case_id).collect();
    cases.sort();
    assert_eq!(cases, ids);
    assert!(group.iter().all(|m| m.from == Stage::Inspected
        && m.to == Stage::Shipped
        && m.changed_since.is_none()));
    // Asked about one of its cases, it is the same group.
    let of_last = store.last_own_moves("anna", Some(ids[2])).unwrap();
    assert_eq!(of_last.len(), 3);
    // A single move is a group of one.
    let dir2 = tempfile::tempdir().unwrap();
    let (_, mut other, other_ids) = shop(dir2.path(), &["C-1", "C-1"], Stage::Received);
    let case = other.case_by_id(other_ids[0]).unwrap();
    other
        .apply(
            case.id,
            case.version,
            Change::Move {
                to: Stage::Expected,
            },
            "anna",
            at(3, 10),
            &Settings::default(),
        )
        .unwrap();
    assert_eq!(other.last_own_moves("anna", None).unwrap().len(), 1);
    drop(path);
}

#[test]
fn a_group_undo_names_the_case_a_colleague_moved_since() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-1", "C-1"], Stage::Expected);
    let shown = seen(&store, &ids);
    many(&mut store, &shown, &Change::Receive { tracking_in: None }).unwrap();
    let mut theirs = Store::open(&path).unwrap();
    let middle = theirs.case_by_id(ids[1]).unwrap();
    theirs
        .apply(
            middle.id,
            middle.version,
            Change::Send {
                manufacturer_ref: "MF-2".into(),
            },
            "ben",
            at(3, 11),
            &Settings::default(),
        )
        .unwrap();
    let group = store.last_own_moves("anna", None).unwrap();
    assert_eq!(group.len(), 3);
    let changed: Vec<i64> = group
        .iter()
        .filter(|m| m.changed_since.is_some())
        .map(|m| m.case_id)
        .collect();
    assert_eq!(changed, vec![ids[1]]);
}

#[test]
fn one_resellers_shipped_count_is_counted_as_everyones_is() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store, ids) = shop(dir.path(), &["C-1", "C-1", "C-2"], Stage::Inspected);
    let shown = seen(&store, &ids[..2]);
    many(&mut store, &shown, &ship()).unwrap();
    let clocks = rmaboard::domain::Clocks::default();
    let shipped = Stage::ALL
        .iter()
        .position(|&s| s == Stage::Shipped)
        .unwrap();
    // A window that starts after the parcel went: both are older; before: both in it.
    for (cutoff, older) in [(at(4, 9), 2), (at(3, 9), 0)] {
        let all = store.stage_counts().unwrap();
        let all_older = store.shipped_before(cutoff).unwrap();
        let c1 = store
            .reseller_counts("C-1", &clocks, at(5, 9), cutoff)
            .unwrap();
        assert_eq!(c1.shipped_older, older);
        assert_eq!(c1.shipped_older, all_older);
        assert_eq!(c1.counts[shipped], all[shipped]);
        let c2 = store
            .reseller_counts("C-2", &clocks, at(5, 9), cutoff)
            .unwrap();
        assert_eq!((c2.counts[shipped], c2.shipped_older), (0, 0));
    }
}

/// Every move the board's marks and the command line's several keys make, with a case in
/// the middle changed by a colleague after it was shown: nothing is saved, no counter
/// (RMA numbers, bill numbers, outbox) moves, and that case is named.
#[test]
fn every_kind_of_move_on_several_cases_is_all_or_nothing() {
    let moves: Vec<(Stage, Change)> = vec![
        (Stage::Expected, Change::Receive { tracking_in: None }),
        (
            Stage::Received,
            Change::Send {
                manufacturer_ref: "MF-5".into(),
            },
        ),
        (
            Stage::AtManufacturer,
            Change::InspectPass {
                in_house: false,
                note: None,
            },
        ),
        (
            Stage::AtManufacturer,
            Change::InspectFail {
                note: "still dead".into(),
            },
        ),
        (
            Stage::Received,
            Change::Void {
                reason: rmaboard::domain::VoidReason::WaterDamage,
                note: "corrosion inside".into(),
            },
        ),
        (Stage::Inspected, ship()),
        (
            Stage::Inspected,
            Change::Move {
                to: Stage::AtManufacturer,
            },
        ),
    ];
    for (stage, change) in moves {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-1", "C-1"], stage);
        let shown = seen(&store, &ids);
        Store::open(&path)
            .unwrap()
            .add_note(ids[1], "looked at it", "ben", at(3, 9))
            .unwrap();
        let middle = store.case_by_id(ids[1]).unwrap().rma.to_string();
        let before = dump(&path);
        let err = many(&mut store, &shown, &change).unwrap_err();
        assert!(err.is_conflict(), "{change:?}: {err}");
        let sentence = err.to_string();
        assert!(
            sentence.contains(&middle) && sentence.contains("nothing was saved"),
            "{change:?}: {sentence}"
        );
        assert_eq!(dump(&path), before, "{change:?} saved something");
        // Shown again as it is now, the same move goes through for all three.
        let shown = seen(&store, &ids);
        let done = many(&mut store, &shown, &change).unwrap();
        assert_eq!(done.moved.len(), 3, "{change:?}");
    }
}

#[test]
fn failed_inspections_of_several_cases_are_taken_back_together() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store, ids) = shop(dir.path(), &["C-1", "C-1"], Stage::AtManufacturer);
    let before: Vec<_> = ids
        .iter()
        .map(|&id| store.case_by_id(id).unwrap())
        .collect();
    let shown = seen(&store, &ids);
    many(
        &mut store,
        &shown,
        &Change::InspectFail {
            note: "still dead".into(),
        },
    )
    .unwrap();
    let group = store.last_own_moves("anna", None).unwrap();
    assert_eq!(group.len(), 2);
    assert!(group.iter().all(|m| m.failed.is_some()));
    let steps = group
        .iter()
        .map(|m| Step {
            id: m.case_id,
            version: store.case_by_id(m.case_id).unwrap().version,
            change: m.undo(),
        })
        .collect();
    store
        .apply_many(
            steps,
            MoveOptions::default(),
            "anna",
            at(3, 11),
            &Settings::default(),
        )
        .unwrap();
    for was in before {
        let now = store.case_by_id(was.id).unwrap();
        assert_eq!(
            (now.stage, now.rounds, now.outcome, now.stage_since),
            (was.stage, was.rounds, was.outcome, was.stage_since)
        );
    }
    // Undone: nothing of the group is left to undo.
    let left = store.last_own_moves("anna", None).unwrap();
    assert!(
        left.iter()
            .all(|m| !ids.contains(&m.case_id) || m.failed.is_none())
    );
}

#[test]
fn a_later_move_taken_back_does_not_stop_the_undo_of_a_group() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, ids) = shop(dir.path(), &["C-1", "C-1", "C-1"], Stage::Expected);
    let shown = seen(&store, &ids[..2]);
    many(&mut store, &shown, &Change::Receive { tracking_in: None }).unwrap();
    let settings = Settings::default();
    let apply = |store: &mut Store, id: i64, change: Change, who: &str, hour| {
        let v = store.case_by_id(id).unwrap().version;
        store
            .apply(id, v, change, who, at(3, hour), &settings)
            .unwrap();
    };
    let send = || Change::Send {
        manufacturer_ref: "MF-2".into(),
    };
    // Anna sends the second alone and takes that back: it is in Received as the group
    // left it.
    apply(&mut store, ids[1], send(), "anna", 11);
    let last = store.last_own_moves("anna", None).unwrap();
    assert_eq!(last.len(), 1);
    apply(&mut store, ids[1], last[0].undo(), "anna", 12);
    // Ben does the same: still as the group left it.
    apply(&mut store, ids[1], send(), "ben", 13);
    let his = store.last_own_moves("ben", None).unwrap();
    apply(&mut store, ids[1], his[0].undo(), "ben", 14);
    // A move of a case outside the group is no change to it.
    apply(
        &mut store,
        ids[2],
        Change::Receive { tracking_in: None },
        "ben",
        14,
    );

    let group = store.last_own_moves("anna", None).unwrap();
    let cases: Vec<(i64, Stage, Stage)> = group.iter().map(|m| (m.case_id, m.from, m.to)).collect();
    assert_eq!(
        cases,
        [
            (ids[0], Stage::Expected, Stage::Received),
            (ids[1], Stage::Expected, Stage::Received)
        ]
    );
    assert!(group.iter().all(|m| m.changed_since.is_none()), "{group:?}");

    // A colleague's move that stands still refuses it, naming that case.
    let mut theirs = Store::open(&path).unwrap();
    apply(&mut theirs, ids[1], send(), "ben", 15);
    let group = store.last_own_moves("anna", None).unwrap();
    let changed: Vec<(i64, Option<(String, rmaboard::domain::EventKind)>)> = group
        .iter()
        .filter(|m| m.changed_since.is_some())
        .map(|m| {
            let since = m.changed_since.clone().map(|c| (c.by, c.kind));
            (m.case_id, since)
        })
        .collect();
    assert_eq!(
        changed,
        [(
            ids[1],
            Some(("ben".to_string(), rmaboard::domain::EventKind::Send))
        )]
    );
}

#[test]
fn a_correction_of_the_reference_a_group_send_set_refuses_its_undo() {
    use rmaboard::domain::case::Edit;
    use rmaboard::domain::{EventField, EventKind};
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut store, ids) = shop(dir.path(), &["C-1", "C-1"], Stage::Received);
    let shown = seen(&store, &ids);
    let send = Change::Send {
        manufacturer_ref: "MF-77l".into(),
    };
    many(&mut store, &shown, &send).unwrap();
    let settings = Settings::default();
    let apply = |store: &mut Store, id: i64, change: Change, who: &str, hour| {
        let v = store.case_by_id(id).unwrap().version;
        store
            .apply(id, v, change, who, at(3, hour), &settings)
            .unwrap();
    };
    let changed = |store: &Store| -> Vec<(i64, String, EventKind, Vec<EventField>)> {
        store
            .last_own_moves("anna", None)
            .unwrap()
            .into_iter()
            .filter_map(|m| {
                let c = m.changed_since?;
                Some((m.case_id, c.by, c.kind, c.fields))
            })
            .collect()
    };
    // Ben passes the second one's inspection, corrects its reference, and takes his
    // pass back: the correction is what still stands, and is named.
    apply(
        &mut store,
        ids[1],
        Change::InspectPass {
            in_house: false,
            note: None,
        },
        "ben",
        11,
    );
    let fix = Change::Edit(Edit {
        manufacturer_ref: Some("MF-771".into()),
        ..Edit::default()
    });
    apply(&mut store, ids[1], fix, "ben", 12);
    let his = store.last_own_moves("ben", None).unwrap();
    assert_eq!(his.len(), 1);
    assert_eq!(his[0].changed_since, None, "his pass set no reference");
    apply(&mut store, ids[1], his[0].undo(), "ben", 13);
    assert_eq!(
        changed(&store),
        [(
            ids[1],
            "ben".to_string(),
            EventKind::Edit,
            vec![EventField::ManufacturerRef]
        )]
    );
}

#[test]
fn a_group_that_reached_different_stages_is_described_case_by_case() {
    use rmaboard::store::OwnMove;
    use rmaboard::workshop::describe_group;
    let dir = tempfile::tempdir().unwrap();
    let (_path, store, ids) = shop(dir.path(), &["C-1", "C-1", "C-1"], Stage::Received);
    let moved = |id: i64, from, to| {
        (
            OwnMove {
                case_id: id,
                from,
                to,
                failed: None,
                before: Default::default(),
                changed_since: None,
            },
            store.case_by_id(id).unwrap(),
        )
    };
    let rma = |i: usize| store.case_by_id(ids[i]).unwrap().rma.to_string();
    // All to one stage, from wherever: as before.
    let same = [
        moved(ids[0], Stage::AtManufacturer, Stage::Received),
        moved(ids[1], Stage::Inspected, Stage::Received),
    ];
    assert_eq!(
        describe_group(&same),
        format!("took {}, {} to Received", rma(0), rma(1))
    );
    let apart = [
        moved(ids[0], Stage::Expected, Stage::Received),
        moved(ids[1], Stage::Received, Stage::Inspected),
        moved(ids[2], Stage::Expected, Stage::Received),
    ];
    assert_eq!(
        describe_group(&apart),
        format!(
            "took {}, {} to Received and {} to Inspected",
            rma(0),
            rma(2),
            rma(1)
        )
    );
}
